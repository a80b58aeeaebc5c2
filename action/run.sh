#!/usr/bin/env bash
# The logic of git-release's GitHub Action (action.yml runs it; so does
# tests/cli/action.rs, with the variables GitHub sets): install git-release
# unless the right one is on PATH, verify the pushed release tag, and write
# the step's outputs to $GITHUB_OUTPUT.
#
# Inputs (environment):
#   INPUT_TAG                 the tag [default: GITHUB_REF_NAME when GITHUB_REF is refs/tags/…]
#   INPUT_TRUST_ROOT          the pinned trust root [default: release.trustRoot / GIT_RELEASE_TRUST_ROOT]
#   INPUT_VERSION             git-release version to install [default: the action's tag, else latest]
#   INPUT_VERIFY              "false" skips `git release verify` (gate-ok is then empty)
#   INPUT_FAIL_ON_UNVERIFIED  "false" keeps going when the tag fails verification
#   INPUT_NOTES_FILE          where the release notes go [default: $RUNNER_TEMP/git-release-notes.md]
#   INPUT_REMOTE              the remote to fetch tags and evidence from [default: origin]
#   GIT_RELEASE_ACTION_REPOSITORY, GIT_RELEASE_ACTION_REF  where the action came from
# Exit: 0 verified (or not asked to fail); 1 the tag failed verification; 2 an error.
set -euo pipefail

fail() {
    echo "::error title=git-release::$*" >&2
    exit 2
}

truthy() {
    case "$(printf %s "$1" | tr '[:upper:]' '[:lower:]')" in
        "" | true | yes | 1 | on) return 0 ;;
        *) return 1 ;;
    esac
}

: "${RUNNER_TEMP:=${TMPDIR:-/tmp}}"
: "${GITHUB_OUTPUT:=/dev/null}"
remote="${INPUT_REMOTE:-origin}"
repository="${GIT_RELEASE_ACTION_REPOSITORY:-git-release-cli/git-release}"

# --- the tag -----------------------------------------------------------------
tag="${INPUT_TAG:-}"
if [[ -z "$tag" && "${GITHUB_REF:-}" == refs/tags/* ]]; then
    tag="${GITHUB_REF_NAME:-${GITHUB_REF#refs/tags/}}"
fi
tag="${tag#refs/tags/}"
[[ -n "$tag" ]] || fail "no release tag: run on a tag push (on: push: tags: ['v*']) or set the input 'tag' (GITHUB_REF is '${GITHUB_REF:-unset}')"

# --- git-release -------------------------------------------------------------
# The version to install: the input, else the action's own tag (uses: …@v1.2.3), else the latest release.
want="${INPUT_VERSION:-}"
if [[ -z "$want" && "${GIT_RELEASE_ACTION_REF:-}" =~ ^v([0-9]+\.[0-9]+\.[0-9]+.*)$ ]]; then
    want="${BASH_REMATCH[1]}"
fi
want="${want#v}"
[[ "$want" == latest ]] && want=""

have_wanted() {
    command -v git-release >/dev/null 2>&1 || return 1
    [[ -z "$want" ]] && return 0
    [[ "$(git-release --version 2>/dev/null)" == "git-release $want" ]]
}

target_triple() {
    local os arch
    os="$(uname -s)"
    arch="$(uname -m)"
    case "$arch" in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) return 1 ;;
    esac
    case "$os" in
        Linux) echo "$arch-unknown-linux-musl" ;;
        Darwin) echo "$arch-apple-darwin" ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT) [[ "$arch" == x86_64 ]] && echo "x86_64-pc-windows-msvc" ;;
        *) return 1 ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# Downloads the release archive for this runner, checks its SHA-256, unpacks it.
download() {
    local triple ext base url dir
    triple="$(target_triple)" || return 1
    ext=tar.gz
    [[ "$triple" == *windows* ]] && ext=zip
    if [[ -n "$want" ]]; then
        base="https://github.com/$repository/releases/download/v$want"
    else
        base="https://github.com/$repository/releases/latest/download"
    fi
    url="$base/git-release-$triple.$ext"
    dir="$RUNNER_TEMP/git-release-download"
    rm -rf "$dir" && mkdir -p "$dir"
    echo "downloading $url" >&2
    curl --fail --silent --show-error --location --retry 3 -o "$dir/archive.$ext" "$url" || return 1
    curl --fail --silent --show-error --location --retry 3 -o "$dir/archive.sha256" "$url.sha256" || return 1
    [[ "$(sha256 "$dir/archive.$ext")" == "$(cut -d' ' -f1 <"$dir/archive.sha256")" ]] || {
        echo "::warning title=git-release::the checksum of $url does not match its .sha256" >&2
        return 1
    }
    if [[ "$ext" == zip ]]; then
        unzip -q "$dir/archive.$ext" -d "$dir" || return 1
    else
        tar -xzf "$dir/archive.$ext" -C "$dir" || return 1
    fi
    bin="$dir/git-release-$triple"
    [[ -x "$bin/git-release" || -x "$bin/git-release.exe" ]] || return 1
    echo "$bin"
}

install() {
    local bin root
    if bin="$(download | tail -n 1)" && [[ -d "$bin" ]]; then
        :
    elif command -v cargo >/dev/null 2>&1; then
        echo "::notice title=git-release::no release archive for this runner; building with cargo install"
        root="$RUNNER_TEMP/git-release-cargo"
        cargo install --locked --quiet --root "$root" git-release-cli ${want:+--version "$want"} ||
            fail "cargo install git-release-cli${want:+ --version $want} failed"
        bin="$root/bin"
    else
        fail "cannot install git-release: no release archive for $(uname -s)/$(uname -m) and no cargo; install it before this step"
    fi
    PATH="$bin:$PATH"
    if [[ -n "${GITHUB_PATH:-}" ]]; then
        echo "$bin" >>"$GITHUB_PATH"
    fi
}

echo "::group::git-release"
if ! have_wanted; then
    install
fi
command -v git-release >/dev/null 2>&1 || fail "git-release is not on PATH after installing it"
git-release --version
echo "::endgroup::"

# --- the history, the tags and the evidence ----------------------------------
echo "::group::fetch tags and evidence from $remote"
if [[ "$(git rev-parse --is-shallow-repository)" == true ]]; then
    git fetch --quiet --unshallow --tags "$remote" || fail "cannot unshallow the clone from $remote; check out with fetch-depth: 0"
fi
git fetch --quiet --force --tags "$remote" '+refs/notes/release/*:refs/notes/release/*' ||
    fail "cannot fetch tags and evidence notes from $remote"
git rev-parse --verify --quiet "refs/tags/$tag" >/dev/null || fail "there is no tag '$tag' in $remote"
echo "::endgroup::"

# --- the release -------------------------------------------------------------
work="$RUNNER_TEMP/git-release-$$"
mkdir -p "$work"
notes_file="${INPUT_NOTES_FILE:-$RUNNER_TEMP/git-release-notes.md}"

# A top-level value of git-release's pretty JSON ("" for null).
json_value() {
    sed -n "s/^  \"$1\": \(.*\)$/\1/p" "$2" | head -n 1 | sed 's/,$//; s/^"\(.*\)"$/\1/; s/^null$//'
}

git-release notes --tag "$tag" --format json >"$work/release.json" ||
    fail "cannot read the release '$tag' (see the error above)"
version="$(json_value version "$work/release.json")"
previous="$(json_value previous_tag "$work/release.json")"
prerelease="$(json_value prerelease "$work/release.json")"
git-release notes --tag "$tag" -o "$notes_file" || fail "cannot write the notes of '$tag'"

gate_ok=""
status=0
if truthy "${INPUT_VERIFY:-true}"; then
    echo "::group::git release verify $tag"
    args=(verify "$tag")
    [[ -n "${INPUT_TRUST_ROOT:-}" ]] && args+=(--trust-root "$INPUT_TRUST_ROOT")
    git-release "${args[@]}" || status=$?
    echo "::endgroup::"
    case "$status" in
        0) gate_ok=true ;;
        1) gate_ok=false ;;
        *) fail "git release verify $tag failed with exit $status (see the error above)" ;;
    esac
fi

# --- outputs -----------------------------------------------------------------
delimiter="git_release_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
{
    echo "tag=$tag"
    echo "version=$version"
    echo "previous-tag=$previous"
    echo "prerelease=$prerelease"
    echo "gate-ok=$gate_ok"
    echo "notes-file=$notes_file"
    echo "notes<<$delimiter"
    # The delimiter on a line of its own, whether or not the notes end in one.
    printf '%s\n' "$(cat "$notes_file")"
    echo "$delimiter"
} >>"$GITHUB_OUTPUT"

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    {
        echo "### git-release: $tag"
        case "$gate_ok" in
            true) echo "Verified against the release policy." ;;
            false) echo "**Not verified**: the release policy is not met (see the log)." ;;
            *) echo "Not verified (verify: false)." ;;
        esac
        echo
        cat "$notes_file"
    } >>"$GITHUB_STEP_SUMMARY"
fi

if [[ "$gate_ok" == false ]]; then
    if truthy "${INPUT_FAIL_ON_UNVERIFIED:-true}"; then
        echo "::error title=git-release::$tag is not verified: the release policy is not met" >&2
        exit 1
    fi
    echo "::warning title=git-release::$tag is not verified: the release policy is not met" >&2
fi
