//! `sot man`: manual pages (roff, from the clap definitions): `sot.1`, and one per
//! subcommand (`sot-check.1`, `sot-run.1`, …) with its own flags.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Arguments of `sot man`.
#[derive(Args)]
pub struct ManArgs {
    /// The page of this subcommand (`sot man check`); by default the page of `sot` itself.
    #[arg(value_name = "SUBCOMMAND")]
    subcommand: Option<String>,
    /// Write every page (sot.1, sot-check.1, sot-run.1, …) into this folder (created when
    /// missing) instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
    dir: Option<PathBuf>,
}

/// Runs `sot man`; `command` is the whole command line's definition.
pub fn run(args: &ManArgs, mut command: clap::Command) -> ExitCode {
    // Global flags (`--color`) reach the subcommands, which get their display names
    // (`sot-check`) and names in the synopsis (`sot check`).
    command = command.disable_help_subcommand(true);
    command.build();
    let pages: Vec<clap::Command> = std::iter::once(command.clone())
        .chain(
            command
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .cloned(),
        )
        .collect();
    if let Some(dir) = &args.dir {
        return write_pages(dir, &pages);
    }
    let page = match &args.subcommand {
        None => Some(command),
        Some(name) => pages.iter().skip(1).find(|p| p.get_name() == name).cloned(),
    };
    let Some(page) = page else {
        let names: Vec<&str> = pages.iter().skip(1).map(|p| p.get_name()).collect();
        eprintln!(
            "error: `sot` has no subcommand `{}`; its subcommands are {}",
            args.subcommand.as_deref().unwrap_or_default(),
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    match render(page) {
        Ok((_, text)) => {
            out!("{}", String::from_utf8_lossy(&text));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot render the manual page: {e}");
            ExitCode::from(2)
        }
    }
}

/// A page's file name (`sot-check.1`) and roff text.
fn render(page: clap::Command) -> std::io::Result<(String, Vec<u8>)> {
    let man = clap_mangen::Man::new(page);
    let mut text = Vec::new();
    man.render(&mut text)?;
    Ok((man.get_filename(), text))
}

/// Writes every page into `dir`, each through a temporary file (see [`crate::write`]).
fn write_pages(dir: &std::path::Path, pages: &[clap::Command]) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        return ExitCode::from(2);
    }
    for page in pages {
        let written = render(page.clone()).and_then(|(name, text)| {
            let path = dir.join(name);
            crate::write::replace(&path, &text, None).map(|()| path)
        });
        match written {
            Ok(path) => eprintln!("wrote {}", path.display()),
            Err(e) => {
                eprintln!(
                    "error: cannot write the page of `{}` into `{}`: {e}",
                    page.get_name(),
                    dir.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
