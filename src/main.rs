//! `sot`: the command line of the sot protocol language.
//!
//! A thin edge: it loads files, asks the compiler, and prints. Exit status: 0 success
//! (warnings allowed), 1 problems found, 2 usage or I/O error.

/// Writes a line to standard output; see [`write_out`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Writes to standard output; see [`write_out`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::write_out(format_args!($($arg)*)) };
}

mod check;
mod color;
mod diff;
mod doc;
mod fmt;
mod graph;
mod load;
mod man;
mod practice;
mod report;
mod run;
mod schema;
mod serve;
mod test;
mod watch;
mod why;
mod write;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use color::{Color, Colors};

/// Check and run Sacro Occipital Technique (SOT) protocols written in the sot language.
///
/// A protocol file (`.sot`) declares indicators, categories, rules that recommend
/// adjustments, red flags and before/after checks; case studies run against it.
#[derive(Parser)]
#[command(name = "sot", version, propagate_version = true)]
#[command(
    after_help = "Exit status: 0 success (warnings allowed), 1 problems found, 2 usage or I/O error.\n\
Start with `sot check protocols/` to check the bundled protocol library."
)]
struct Cli {
    /// When to colour output. `auto`: on a terminal, unless `NO_COLOR` is set, `CLICOLOR=0`
    /// or `TERM=dumb`; `CLICOLOR_FORCE=1` colours even when not writing to a terminal.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check protocol files and report every problem at once.
    ///
    /// Checks each file named, and every `*.sot` file below each folder named (the current
    /// folder by default), with the files they `use`; `-` checks standard input. Each problem
    /// has a code (E0301, W0604…) explained in docs/language.md, the exact place, and help
    /// where a fix is known. `--watch` checks again after every change.
    Check(check::CheckArgs),
    /// Run the cases of a protocol file: each visit's category, red flags, what the protocol
    /// recommends and why, and the outcome of each before/after check.
    ///
    /// `-` runs a protocol read from standard input; `--watch` runs again after every change.
    Run(run::RunArgs),
    /// Say why the protocol did or did not decide an item at a visit: a rule, an
    /// adjustment, a category, a red flag or a check.
    ///
    /// Names the findings that decided it and the value each test needed ("not fired: its
    /// `when` needs occipital_fiber(side: right, line: 2, area: 6) >= 2, found 1"); for an
    /// adjustment not recommended, every rule that could have recommended it and why each
    /// did not.
    Why(why::WhyArgs),
    /// Practise a visit of a case without seeing its findings: examine findings one at a
    /// time, ask for a hint, commit an answer and see it scored against the protocol.
    ///
    /// The hint names the most informative next examination (the finding whose value can
    /// change the most of the category, the red flags and the rules' decisions). The score
    /// goes item by item with the protocol's reasons; a missed red flag comes first.
    /// Commands are read line by line from standard input, so a session can be piped.
    Practice(practice::PracticeArgs),
    /// Run the `expect` lines of the cases in files or folders like a test suite.
    ///
    /// Each failure shows where it is, what was expected and what was found; the last line is
    /// `N passed, M failed`. `--coverage` lists what no case exercised; `--format json` gives
    /// every expectation to tools; `--watch` tests again after every change.
    Test(test::TestArgs),
    /// Show what a change to a protocol does: the items added and removed, and every case
    /// visit whose outcome changes.
    ///
    /// Runs the cases (the two files' own, or those of `--cases`) under the old and the new
    /// version and lists each visit whose referral, red flags, category, recommendations,
    /// rules withheld or not evaluated, or check outcomes change, with a summary ("category
    /// II → III: 4 visits"). `--git REV` compares a file with its text at a git revision;
    /// `--fail-on-change` exits with status 1 when anything changed.
    Diff(diff::DiffArgs),
    /// Format protocol files in the canonical style, keeping every comment.
    ///
    /// Files with a syntax error are left alone (exit status 1). `--check` changes nothing
    /// and lists the files that would change; `--diff` changes nothing and shows how they
    /// would; `-` formats standard input to standard output.
    Fmt(fmt::FmtArgs),
    /// Write a handbook for students: red flags, categories, indicators, rules in words, checks.
    Doc(doc::DocArgs),
    /// Draw the protocol: indicators → categories → rules → adjustments, red flags and checks.
    Graph(graph::GraphArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): `sot man > sot.1`, `sot man check > sot-check.1`, or
    /// every page with `sot man --dir man/`.
    Man(man::ManArgs),
    /// Serve the workbench in the browser: handbooks, cases evaluated, and a findings form
    /// evaluated as you edit it.
    ///
    /// Serves the protocols and cases below each PATH (the current folder by default) on
    /// 127.0.0.1 and prints the URL; pages follow the files as they change on disk. It reads
    /// only those files and writes none (exports are downloads).
    Serve(serve::ServeArgs),
    /// Run the language server on standard input and output (for editors).
    Lsp(LspArgs),
    /// Print a JSON Schema: of case data for a protocol (`sot schema FILE`, for `sot run FILE
    /// --cases DATA.json`), or of a command's JSON output (`sot schema --output run|check|test|diff`).
    Schema(schema::SchemaArgs),
}

/// The flags language clients pass to a server they start (`vscode-languageclient` adds
/// `--stdio`; many clients add `--clientProcessId`). Standard input and output is the only
/// transport, so they change nothing.
#[derive(clap::Args)]
struct LspArgs {
    /// Talk over standard input and output (the default, and the only transport).
    #[arg(long)]
    stdio: bool,
    /// The editor's process id, as clients conventionally pass it: accepted and ignored.
    #[arg(long = "clientProcessId", value_name = "PID", hide = true)]
    client_process_id: Option<String>,
}

fn main() -> ExitCode {
    // clap's own help and errors follow `--color` too (it reads the environment as we do).
    let command = <Cli as clap::CommandFactory>::command().color(color::flag_in_args());
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let colors = Colors::decide(cli.color);
    match cli.command {
        Command::Check(args) => check::run(&args, colors),
        Command::Run(args) => run::run(&args, colors),
        Command::Why(args) => why::run(&args, colors.stderr),
        Command::Practice(args) => practice::run(&args, colors.stderr),
        Command::Test(args) => test::run(&args, colors),
        Command::Diff(args) => diff::run(&args, colors),
        Command::Schema(args) => schema::run(&args, colors.stderr),
        Command::Fmt(args) => fmt::run(&args, colors),
        Command::Serve(args) => serve::run(&args),
        Command::Lsp(LspArgs {
            stdio: _,
            client_process_id: _,
        }) => {
            cap_malloc_arenas();
            lsp()
        }
        Command::Doc(args) => doc::run(&args, colors.stderr),
        Command::Graph(args) => graph::run(&args, colors.stderr),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut command, "sot", &mut buffer);
            out!("{}", String::from_utf8_lossy(&buffer));
            ExitCode::SUCCESS
        }
        Command::Man(args) => man::run(&args, <Cli as clap::CommandFactory>::command()),
    }
}

/// Runs the language server on standard input and output until the client ends it.
fn lsp() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => {
            let ended = runtime.block_on(sot_lsp::serve_stdio());
            // A blocking read of standard input may still be waiting (clients need not
            // close it after `exit`): do not wait for it.
            runtime.shutdown_background();
            match ended {
                sot_lsp::Ended::AfterShutdown => ExitCode::SUCCESS,
                sot_lsp::Ended::WithoutShutdown => ExitCode::from(1),
            }
        }
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            ExitCode::from(2)
        }
    }
}

/// Caps glibc's malloc at one arena, before the language server's threads start. Each edit's
/// text is built on one thread of the blocking pool and freed on another, and glibc's
/// per-thread arenas keep what they once held: with the cap the server levels off at half
/// the resident memory, its diagnostics as fast within the noise (BENCHMARKS.md, "Memory":
/// mimalloc was measured too and held more).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn cap_malloc_arenas() {
    // SAFETY: `mallopt` sets one of the allocator's tunables; no other thread exists yet.
    // It answers 0 when it refuses, and then the default arenas stay: nothing is lost but
    // the saving, so the answer is not checked.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Elsewhere the allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_malloc_arenas() {}

/// Writes to standard output. When the reader has gone (`sot test | head`), the command
/// stops quietly instead of panicking; any other write error exits with status 2.
fn write_out(args: std::fmt::Arguments) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}
