//! `sot diff`: what a change to a protocol does. Loads both versions (two files, or a file
//! and its text at a git revision, by `git show`), runs the cases under both, and prints
//! the items added and removed, every visit whose outcome changes and the semantic
//! difference of the conditions (`sot_compiler::compare_programs`, verified by
//! `sot_runtime::diff`, rendered by `sot_report::diff`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sot_compiler::{
    compare_programs, foreign_cases, json_cases, lower_file, visible_files, Database, SourceFile,
};
use sot_ir::Program;
use sot_runtime::diff::{diff, semantic, CaseNotRun, CasePair, DiffError, Version, UNRELATED};

use crate::check::print_errors;
use crate::color::{paint, Colors, BAD, HEADING};
use crate::load::{load_one, load_one_as, read_text, sot_files, Loaded, ReadError};

/// Arguments of `sot diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// The old version (with `--git`: the file whose revision to compare with the file as
    /// it is now).
    old: PathBuf,
    /// The new version.
    #[arg(required_unless_present = "git", conflicts_with = "git")]
    new: Option<PathBuf>,
    /// Compare the file as it is now (the new version) with its text at this git revision
    /// (the old version, by `git show REV:FILE`); the files it uses are read as they are now.
    #[arg(long, value_name = "REV")]
    git: Option<String>,
    /// Run these cases instead of the two files' own: `.sot` files (their `case` items),
    /// folders (every `*.sot` below) or JSON case data (`.json`).
    #[arg(long, value_name = "PATH", num_args = 1..)]
    cases: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with status 1 when anything changed (an item added or removed, a visit's
    /// outcome, a case that runs under one version only): a gate for continuous integration.
    #[arg(long)]
    fail_on_change: bool,
}

/// Output formats of `sot diff`.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Plain text for a terminal.
    Text,
    /// JSON (`sot schema --output diff`).
    Json,
    /// Markdown.
    Markdown,
}

/// One version of the protocol, loaded and lowered.
struct Side {
    /// How the report names it.
    name: String,
    loaded: Loaded,
    file: SourceFile,
}

impl Side {
    fn db(&self) -> &Database {
        &self.loaded.db
    }

    fn program(&self) -> Option<&Program> {
        lower_file(self.db(), self.file).as_ref()
    }

    fn text(&self) -> &str {
        self.file.text(self.db())
    }
}

/// Runs `sot diff`.
pub fn run(args: &DiffArgs, colors: Colors) -> ExitCode {
    let (old, new) = match load_sides(args) {
        Ok(sides) => sides,
        Err(code) => return code,
    };
    let (Some(old_program), Some(new_program)) = (old.program(), new.program()) else {
        let mut errors = 0;
        for side in [&old, &new] {
            if side.program().is_none() {
                errors += print_errors(
                    side.db(),
                    visible_files(side.db(), side.file),
                    colors.stderr,
                );
            }
        }
        eprintln!("sot diff: {errors} error(s); fix them first (`sot check` lists warnings too)");
        return ExitCode::from(1);
    };
    let (pairs, not_run) = match cases(args, &old, &new) {
        Ok(cases) => cases,
        Err(code) => return code,
    };
    let compared = diff(
        (&old.name, old_program),
        (&new.name, new_program),
        &pairs,
        not_run,
    );
    let mut report = match compared {
        Ok(report) => report,
        Err(DiffError::Unrelated) => {
            eprintln!(
                "error[{UNRELATED}]: `{}` and `{}` share no item (no category, red flag, rule, \
                 check, indicator, adjustment or table of one is in the other): they are not \
                 two versions of one protocol",
                old.name, new.name
            );
            eprintln!(
                "  = help: compare a protocol file with an edited copy of it, or with `--git REV`"
            );
            return ExitCode::from(2);
        }
    };
    let comparison = compare_programs(old_program, new_program);
    report.semantic = Some(semantic(old_program, new_program, &comparison));
    let out = match args.format {
        Format::Text => sot_report::diff::text(&report)
            .lines()
            .map(|line| paint_line(line, colors.stdout))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Markdown => sot_report::diff::markdown(&report),
        Format::Json => sot_report::diff::json(&report),
    };
    outln!("{}", out.trim_end());
    if args.fail_on_change && report.has_changes() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Loads the old and the new version.
fn load_sides(args: &DiffArgs) -> Result<(Side, Side), ExitCode> {
    let side = |path: &Path| -> Result<Side, ExitCode> {
        let (loaded, file) = load_one(path)?;
        Ok(Side {
            name: path.display().to_string(),
            loaded,
            file,
        })
    };
    match (&args.git, &args.new) {
        (Some(rev), _) => {
            let text = git_show(rev, &args.old)?;
            let (loaded, file) = load_one_as(&args.old, text)?;
            let old = Side {
                name: format!("{rev}:{}", args.old.display()),
                loaded,
                file,
            };
            Ok((old, side(&args.old)?))
        }
        (None, Some(new)) => Ok((side(&args.old)?, side(new)?)),
        (None, None) => {
            eprintln!("error: name the new version, or `--git REV` to compare with a revision");
            Err(ExitCode::from(2))
        }
    }
}

/// The text of `path` at git revision `rev` (`git show REV:./NAME`, run in the file's
/// folder), or why not (exit status 2).
fn git_show(rev: &str, path: &Path) -> Result<String, ExitCode> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        eprintln!("error: `{}` is not a file", path.display());
        return Err(ExitCode::from(2));
    };
    let spec = format!("{rev}:./{}", name.to_string_lossy());
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(["show", "--no-textconv", &spec])
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            eprintln!("error: cannot run `git` for `--git {rev}`: {e}; is git installed?");
            return Err(ExitCode::from(2));
        }
    };
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        eprintln!(
            "error: `git show {spec}` (in `{}`) failed: {}",
            folder.display(),
            said.trim()
        );
        return Err(ExitCode::from(2));
    }
    match sot_files::protocol_bytes(output.stdout) {
        Ok((text, _)) => Ok(text),
        Err(ReadError::Content(problem)) => {
            eprintln!("error[E0001]: `{spec}` is {problem}");
            Err(ExitCode::from(1))
        }
        Err(ReadError::Io(message)) => {
            eprintln!("error: {message}");
            Err(ExitCode::from(2))
        }
    }
}

/// Where cases come from: a name for the report, the text, whether it is JSON.
struct Source {
    name: String,
    text: String,
    json: bool,
}

/// The cases to run, each lowered for both versions, and those that do not fit one.
fn cases(
    args: &DiffArgs,
    old: &Side,
    new: &Side,
) -> Result<(Vec<CasePair>, Vec<CaseNotRun>), ExitCode> {
    let mut sources = Vec::new();
    if args.cases.is_empty() {
        // The new file's cases, then those of the old file that the new one no longer has.
        sources.push(Source {
            name: new.name.clone(),
            text: new.text().to_string(),
            json: false,
        });
        sources.push(Source {
            name: old.name.clone(),
            text: old.text().to_string(),
            json: false,
        });
    } else {
        let found = sot_files(&args.cases).map_err(|message| {
            eprintln!("error: {message}");
            ExitCode::from(2)
        })?;
        for path in found {
            let text = match read_text(&path) {
                Ok(text) => text,
                Err(ReadError::Io(message)) => {
                    eprintln!("error: {message}");
                    return Err(ExitCode::from(2));
                }
                Err(ReadError::Content(problem)) => {
                    eprintln!("error[E0501]: `{}` is {problem}", path.display());
                    return Err(ExitCode::from(1));
                }
            };
            sources.push(Source {
                json: path.extension().is_some_and(|e| e == "json"),
                name: path.display().to_string(),
                text,
            });
        }
    }
    let mut pairs: Vec<CasePair> = Vec::new();
    let mut not_run = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let under = |side: &Side| lowered(side, source);
        let (before, after) = (under(old), under(new));
        if before.len() != after.len() {
            // Case data that does not fit one version at all: nothing to pair.
            for (version, results) in [(Version::Old, before), (Version::New, after)] {
                for (case, problems) in results.into_iter().filter_map(Result::err) {
                    not_run.push(CaseNotRun {
                        case,
                        source: source.name.clone(),
                        version,
                        problems,
                    });
                }
            }
            continue;
        }
        for (b, a) in before.into_iter().zip(after) {
            let name = match (&b, &a) {
                (Ok(c), _) => c.name.clone(),
                (Err((n, _)), _) => n.clone(),
            };
            // The old file's cases that the new file also has ran from the new file's text.
            if args.cases.is_empty() && i == 1 && pairs.iter().any(|p| p.new.name == name) {
                continue;
            }
            if args.cases.is_empty()
                && i == 1
                && not_run.iter().any(|n: &CaseNotRun| n.case == name)
            {
                continue;
            }
            match (b, a) {
                (Ok(old), Ok(new)) => pairs.push(CasePair {
                    source: source.name.clone(),
                    old,
                    new,
                }),
                (b, a) => {
                    for (version, result) in [(Version::Old, b), (Version::New, a)] {
                        if let Err((case, problems)) = result {
                            not_run.push(CaseNotRun {
                                case,
                                source: source.name.clone(),
                                version,
                                problems,
                            });
                        }
                    }
                }
            }
        }
    }
    Ok((pairs, not_run))
}

/// A case lowered, or its name and its problems in words.
type Lowered = Result<sot_ir::Case, (String, Vec<String>)>;

/// The cases of `source` lowered for one version.
fn lowered(side: &Side, source: &Source) -> Vec<Lowered> {
    let index = sot_compiler::LineIndex::new(&source.text);
    let words = |d: &sot_compiler::Diagnostic| {
        let line = index.line_of((d.primary.span.start as usize).min(source.text.len())) + 1;
        format!("{} line {line}: {}", d.code.as_str(), d.message)
    };
    if source.json {
        return match json_cases(side.db(), side.file, &source.text) {
            Ok(cases) => cases.into_iter().map(Ok).collect(),
            Err(problems) => vec![Err((
                source.name.clone(),
                problems.iter().map(words).collect(),
            ))],
        };
    }
    foreign_cases(side.db(), side.file, &source.text)
        .into_iter()
        .map(|c| c.map_err(|(name, problems)| (name, problems.iter().map(words).collect())))
        .collect()
}

/// A line of the text report, in colour when `color`: headings in bold, a referral or a red
/// flag raised under the new version in red. The text is the renderer's; only its look
/// changes.
fn paint_line(line: &str, color: bool) -> String {
    let body = line.trim_start();
    let style = if !color {
        None
    } else if body.starts_with("referral: the protocol now refers")
        || (body.starts_with("red flag ") && body.ends_with("→ raised"))
    {
        Some(BAD)
    } else if line.starts_with("Case ")
        || line.starts_with("sot diff:")
        || line == "Summary"
        || line == "Not compared"
        || line.starts_with("Semantic difference")
        || line == "The visit's category"
    {
        Some(HEADING)
    } else {
        None
    };
    match style {
        Some(style) => {
            let indent = &line[..line.len() - body.len()];
            format!("{indent}{}", paint(true, style, body))
        }
        None => line.to_string(),
    }
}
