//! The `git-release` binary: arguments in, exit code out.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(git_release::run(std::env::args_os()))
}
