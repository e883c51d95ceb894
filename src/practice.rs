//! `sot practice`: practise a visit of a case without seeing its findings, in the terminal.
//! The student examines findings one at a time, may ask for a hint, and commits an answer
//! that is scored against the protocol (`sot_runtime::practice`). Commands are read line by
//! line from standard input, so a session can be piped.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sot_compiler::{did_you_mean, lower_file, visible_files};
use sot_report::practice as report;
use sot_runtime::practice::{
    parse_call, parse_categories, parse_check, Answer, ExamineError, Session,
};

use crate::check::print_errors;
use crate::load::load_one;

/// The commands of a session, for its greeting and `help`.
const COMMANDS: &str = "Commands:
  examine FINDING   reveal a finding (the word `examine` may be left out):
                    arm_fossa, occipital_fiber(line: 2, area: 3), occipital_fiber(line: 2)
                    for a whole line, after.arm_fossa for the findings after the adjustment
  findings          list the findings you can examine, and what you have revealed
  hint              the most informative next examination
  answer            commit your answer (category, adjustments, check outcomes) and see the score
  help              this list
  quit              end without answering";

/// Arguments of `sot practice`.
#[derive(Args)]
#[command(after_help = concat!(
    "A session, typed or piped:\n",
    "  $ sot practice tests/fixtures/practice/practice.sot --case nora --visit 1\n",
    "  > arm_fossa\n",
    "  arm_fossa: left\n",
    "  > hint\n",
    "  Hint: examine saddle_anesthesia next: its value can change red flag cauda_equina and …\n",
    "  > answer\n",
    "  Category (…): II\n",
    "  Adjustments (…): block(category: II, short_leg: right)\n",
    "  Check outcomes (…):\n",
    "  Score of the answer for case nora, visit 1\n",
    "  MISSED RED FLAG cauda_equina: the protocol refers this visit; the answer did not refer\n",
    "  …"
))]
pub struct PracticeArgs {
    /// A `.sot` file with cases (and the files it `use`s).
    file: PathBuf,
    /// The case to practise on (needed when the file has several).
    #[arg(long, value_name = "NAME")]
    case: Option<String>,
    /// The visit to practise on (by its number); the case's first by default.
    #[arg(long, value_name = "N")]
    visit: Option<i64>,
}

/// Runs `sot practice`.
pub fn run(args: &PracticeArgs, color: bool) -> ExitCode {
    if args.file.as_os_str() == "-" {
        eprintln!(
            "error: `sot practice` reads the session from standard input; name the protocol file"
        );
        return ExitCode::from(2);
    }
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
    let Some(program) = lower_file(db, file) else {
        let errors = print_errors(db, visible_files(db, file), color);
        eprintln!(
            "sot practice: {errors} error(s); fix them first (`sot check` lists warnings too)"
        );
        return ExitCode::from(1);
    };
    let names: Vec<&str> = program.cases.iter().map(|c| c.name.as_str()).collect();
    let case = match (&args.case, program.cases.as_slice()) {
        (None, [one]) => one,
        (None, []) => {
            eprintln!(
                "error: `{}` has no case to practise on",
                args.file.display()
            );
            return ExitCode::from(2);
        }
        (None, _) => {
            eprintln!(
                "error: `{}` has several cases; choose one with --case: {}",
                args.file.display(),
                names.join(", ")
            );
            return ExitCode::from(2);
        }
        (Some(name), cases) => match cases.iter().find(|c| c.name == *name) {
            Some(case) => case,
            None => {
                let hint = did_you_mean(name, names.iter().copied())
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                eprintln!(
                    "error: no case named `{name}` in `{}`{hint}; its cases are {}",
                    args.file.display(),
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    let Some(number) = args.visit.or(case.visits.first().map(|v| v.number)) else {
        eprintln!("error: case `{}` has no visit", case.name);
        return ExitCode::from(2);
    };
    let mut session = match Session::new(program, case, number) {
        Ok(session) => session,
        Err(e) => {
            eprintln!("error: case `{}`: {e}", case.name);
            return ExitCode::from(2);
        }
    };
    greet(&session);
    let stdin = std::io::stdin();
    // Piped answers are echoed after their prompts, so that the transcript reads as typed.
    let echo = !stdin.is_terminal();
    let mut lines = stdin.lock().lines().inspect(move |line| {
        if let (Ok(text), true) = (line, echo) {
            outln!("{text}");
        }
    });
    loop {
        prompt("> ");
        let Some(Ok(line)) = lines.next() else {
            outln!("\nSession ended without an answer.");
            return ExitCode::SUCCESS;
        };
        let line = line.trim();
        let (command, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match command {
            "" => {}
            "help" | "?" => outln!("{COMMANDS}"),
            "quit" | "exit" => {
                outln!("Session ended without an answer.");
                return ExitCode::SUCCESS;
            }
            "hint" => out!("{}", report::hint_text(&session.hint())),
            "findings" => findings(&session),
            "answer" => {
                let Some(answer) = read_answer(&session, &mut lines) else {
                    outln!("\nSession ended before the answer was complete.");
                    return ExitCode::SUCCESS;
                };
                out!("\n{}", report::score_text(&session.score(&answer)));
                return ExitCode::SUCCESS;
            }
            "examine" => examine(&mut session, rest),
            _ => examine(&mut session, line),
        }
    }
}

/// Writes a prompt and shows it at once.
fn prompt(text: &str) {
    out!("{text}");
    let _ = std::io::stdout().flush();
}

fn greet(session: &Session) {
    let case = session.case();
    let visit = session.visit();
    let title = case
        .title
        .as_ref()
        .map(|t| format!(" “{t}”"))
        .unwrap_or_default();
    let label = visit
        .label
        .as_ref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    outln!(
        "Practice: case {}{title}, visit {}{label}",
        case.name,
        visit.number
    );
    if let Some(p) = &session.program().title {
        outln!("Protocol: {p}");
    }
    outln!(
        "The visit's findings are hidden: examine what you would examine, then answer.\n{COMMANDS}"
    );
}

fn examine(session: &mut Session, text: &str) {
    match session.examine(text) {
        Ok(examined) => out!("{}", report::examined_text(&examined)),
        Err(ExamineError::UnknownIndicator { name, known }) => {
            let hint = did_you_mean(&name, known.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            outln!("The protocol has no indicator `{name}`{hint} (`findings` lists them).");
        }
        Err(e) => outln!("{e}"),
    }
}

/// Every indicator with its findings, the revealed ones with their values.
fn findings(session: &Session) {
    let mut current = String::new();
    for f in session.examinable() {
        if f.indicator != current {
            outln!("{}", f.indicator);
            current = f.indicator.clone();
        }
        if let Some(r) = &f.revealed {
            outln!("  {}: {}", f.finding, report::revealed(r));
        } else if f.finding != f.indicator {
            outln!("  {}", f.finding);
        }
    }
}

/// Asks for the answer's three parts until each reads; `None` at the end of the input.
fn read_answer(
    session: &Session,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> Option<Answer> {
    let program = session.program();
    let mut ask = |question: &str| -> Option<String> {
        prompt(question);
        let line = lines.next()?.ok()?;
        Some(line.trim().to_string())
    };
    let category = loop {
        let text =
            ask("Category (a category such as II, coexisting ones with commas, none, or refer): ")?;
        match parse_categories(program, &text) {
            Ok(c) => break c,
            Err(e) => outln!("{e}"),
        }
    };
    let adjustments = loop {
        let text =
            ask("Adjustments (calls with every argument, separated by ';'; empty for none): ")?;
        match each(&text, |t| parse_call(program, t)) {
            Ok(calls) => break calls,
            Err(e) => outln!("{e}"),
        }
    };
    let checks = loop {
        let text =
            ask("Check outcomes (optional: `check outcome`, separated by ';'; empty to skip): ")?;
        match each(&text, |t| parse_check(program, t)) {
            Ok(checks) => break checks,
            Err(e) => outln!("{e}"),
        }
    };
    Some(Answer {
        category,
        adjustments,
        checks,
    })
}

/// Every `;`-separated part of `text` read by `read`.
fn each<T>(text: &str, read: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(read)
        .collect()
}
