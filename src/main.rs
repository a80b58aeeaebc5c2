//! The `git-release` binary: arguments in, exit code out.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Like git, trust object ids on read instead of re-hashing every object.
    git2::opts::strict_hash_verification(false);
    // The history walk keeps the commits it needs; a small object cache is
    // enough for the trees that path scoping reads twice (default 256 MiB).
    // Map packs in small windows and keep few mapped, so reading a whole
    // history does not keep the whole pack resident.
    // SAFETY: set once at start-up, before any repository is opened.
    #[allow(unsafe_code)]
    unsafe {
        let _ = git2::opts::set_mwindow_size(32 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(256 << 20);
        let _ = git2::opts::set_cache_max_size(16 << 20);
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Commit, 0);
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Blob, 0);
    }
    std::process::ExitCode::from(git_release::run(std::env::args_os()))
}
