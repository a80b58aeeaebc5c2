//! The examples that end every command's long help (`--help`, and so the
//! man pages): one entry per command path, attached to the clap definition
//! by [`attach`]. A test checks that no command lacks them.

use clap::Command;

/// The examples of one command, by its path below `git release` (`""` is
/// `git release` itself, `"hook install"` a nested command).
pub fn of(path: &str) -> Option<&'static str> {
    Some(match path {
        "" => {
            "\
Examples:
  git release                          Show the release plan of HEAD
  git release version                  Print the next version alone
  git release test -- cargo test       Run the tests and record the result
  git release approve                  Approve the planned release
  git release tag --push               Gate, tag, and push the release
  git release verify \"$TAG\"            In CI: check a pushed release tag
  git release man --install            Install the man pages (`git release --help`)

Every command takes --format json: stdout is then one JSON document, errors
included. `git release COMMAND --help` shows a command's options and examples."
        }
        "plan" => {
            "\
Examples:
  git release plan                     The plan of HEAD
  git release plan origin/main         The plan of another candidate
  git release plan --format json       The plan for programs
  git release plan --pre rc            If the next release were a pre-release
  git release --package core plan      One package of a monorepo"
        }
        "version" => {
            "\
Examples:
  git release version                  1.3.0 (exit 1 when nothing is releasable)
  git release version --current        The last released version
  git release version --bump major     The version a major bump would give
  git release --package core version   One package of a monorepo"
        }
        "changelog" => {
            "\
Examples:
  git release changelog                Add the releases missing from CHANGELOG.md
  git release changelog --unreleased   Also show the next release's changes
  git release changelog -o -           Print instead of writing
  git release changelog --regenerate   Rebuild the generated sections from history"
        }
        "notes" => {
            "\
Examples:
  git release notes                    What the next release would contain
  git release notes --tag v1.2.0       The notes of a released version
  git release notes --tag \"$TAG\" -o notes.md
                                       In CI: the notes for the release page
  git release notes --range v1.0.0..HEAD --style plain
                                       Plain text, for an e-mail"
        }
        "test" => {
            "\
Examples:
  git release test -- cargo test --locked
                                       Record the default suite
  git release test --suite e2e -- make e2e
                                       A suite that `[gate] tests` names
  git release test --isolated -- ./ci.sh
                                       Run in a clean worktree of HEAD
  git release test --sign -- npm test  Sign the record with your SSH key"
        }
        "approve" => {
            "\
Examples:
  git release approve                  Approve the planned release of HEAD
  git release approve origin/main      Approve another candidate
  git release approve --sign           Sign the approval with your SSH key
  git release approve --tag v1.2.0 --env production
                                       Approve deploying v1.2.0 to production"
        }
        "gate" => {
            "\
Examples:
  git release gate                     Is HEAD's release allowed? (exit 1 if not)
  git release gate --format json       Each requirement, for programs
  git release gate --tag v2.0.0 HEAD~1 Another candidate and tag name"
        }
        "tag" => {
            "\
Examples:
  git release tag --dry-run            Everything that would happen; writes nothing
  git release tag                      Changelog, release commit, annotated tag
  git release tag --push               ...and push them with the evidence, atomically
  git release tag --no-commit --push   Tag the approved commit itself (protected
                                       branches); the changelog follows in a PR
  git release tag --pre rc --sign      A signed pre-release, X.Y.Z-rc.N"
        }
        "verify" => {
            "\
Examples:
  git release verify v1.2.0            Check a release tag against the policy
  git release verify \"$GITHUB_REF_NAME\" --trust-root v1.0.0
                                       In CI, with the chain pinned to v1.0.0
  git -c release.trustRoot=v1.0.0 release verify \"$TAG\" --format json

In CI, fetch tags and evidence first:
  git fetch --tags origin 'refs/notes/release/*:refs/notes/release/*'"
        }
        "sync" => {
            "\
Examples:
  git release sync                     Fetch, merge and push the evidence notes
  git release sync upstream --no-push  Only fetch and merge from `upstream`"
        }
        "log" => {
            "\
Examples:
  git release log                      Every release, newest first
  git release log --format json        ...for programs"
        }
        "show" => {
            "\
Examples:
  git release show v1.2.0              Notes, record, evidence and deployments
  git release show v1.2.0 --format json"
        }
        "deploy" => {
            "\
Examples:
  git release deploy v1.2.0 --env staging --status started
  git release deploy v1.2.0 --env staging --status succeeded --url https://ci/run/42
  git release deploy v1.2.0 --env production --status failed --note \"smoke test\""
        }
        "status" => {
            "\
Examples:
  git release status                   Which release each environment runs
  git release status --format json"
        }
        "rollback" => {
            "\
Examples:
  git release rollback --env production
                                       The plan back to the last good release
  git release rollback --env production --execute
                                       Run `rollback-command` and record it"
        }
        "site" => {
            "\
Examples:
  git release site -o public           The release dashboard into ./public
  GIT_RELEASE_NOW=2026-12-01T00:00:00Z git release site -o public
                                       The same page, byte for byte, every run"
        }
        "watch" => {
            "\
Examples:
  git release watch v1.2.0 --env production --check 'curl -fsS https://example.com/health'
                                       Check every 30s through the soak, then record
  git release watch v1.2.0 --env staging --every 10s --for 5m --rollback
                                       Roll back at the first sustained failure"
        }
        "hook" => {
            "\
Examples:
  git release hook install             Install the pre-push and commit-msg hooks
  git release hook uninstall           Remove them, restoring what was there"
        }
        "hook install" => {
            "\
Examples:
  git release hook install             Both hooks
  git release hook install pre-push    Only the pre-push hook"
        }
        "hook uninstall" => {
            "\
Examples:
  git release hook uninstall           Both hooks
  git release hook uninstall commit-msg"
        }
        "hook pre-push" => {
            "\
git calls this from the hook `git release hook install` wrote, with the
remote's name and URL as arguments and the refs being pushed on stdin:
  git push origin v1.2.0               Runs `git release hook pre-push origin URL`"
        }
        "hook commit-msg" => {
            "\
git calls this from the installed hook; by hand:
  git release hook commit-msg .git/COMMIT_EDITMSG"
        }
        "lint" => {
            "\
Examples:
  git release lint                     The commits since the last release
  git release lint origin/main..HEAD   The commits of a pull request
  git release lint --message-file msg.txt
                                       One message, e.g. a pull request's title"
        }
        "init" => {
            "\
Examples:
  git release init                     Write .release.toml with every key and its default
  git release init --detect            ...with the packages found in the work tree
  git release init --from cog.toml     Map cocogitto's, git-cliff's, release-please's
                                       or semantic-release's configuration
  git release init --stdout | less     Read it first"
        }
        "man" => {
            "\
Examples:
  git release man --install            Into ~/.local/share/man/man1: then
                                       `git release --help` opens the man page
  git release man --dir target/man     Every page into a directory
  git release man tag | man -l -       Read one page without installing"
        }
        "completions" => {
            "\
Examples:
  git release completions bash > ~/.local/share/bash-completion/completions/git-release
  git release completions zsh > \"${fpath[1]}/_git-release\"
  git release completions fish > ~/.config/fish/completions/git-release.fish
  git release completions powershell >> $PROFILE

The scripts complete both `git-release …` and `git release …` (bash through
git's own completion, zsh through `_git`, fish through its git completion)."
        }
        "schema" => {
            "\
Examples:
  git release schema > release.schema.json
  git release schema | jq '.properties | keys'

Editors: the schema is also docs/release.schema.json in git-release's
repository; point taplo or Even Better TOML at it, e.g. with a first line
`#:schema https://…/release.schema.json` in .release.toml."
        }
        _ => return None,
    })
}

/// Attaches the examples to `command` and, recursively, to its commands.
pub fn attach(command: Command) -> Command {
    attach_at(command, "")
}

fn attach_at(mut command: Command, path: &str) -> Command {
    if let Some(text) = of(path) {
        command = command.after_long_help(text);
    }
    command.mut_subcommands(|sub| {
        let sub_path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        attach_at(sub, &sub_path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command's long help ends with examples: a new command needs an
    /// entry in [`of`].
    #[test]
    fn every_command_has_examples() {
        fn check(cmd: &Command, path: &str, missing: &mut Vec<String>) {
            if cmd.get_after_long_help().is_none() {
                missing.push(format!("`git release {path}`"));
            }
            for sub in cmd.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name());
                check(sub, sub_path.trim(), missing);
            }
        }
        let mut missing = Vec::new();
        check(&crate::cli::command(), "", &mut missing);
        assert!(
            missing.is_empty(),
            "add examples to src/cli/examples.rs for {}",
            missing.join(", ")
        );
    }
}
