//! `sot serve`: the workbench in the browser (the `sot-serve` crate), on loopback unless
//! `--host` says otherwise, until interrupted.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Arguments of `sot serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Files or folders of protocols and cases to serve (folders: every `*.sot` below).
    /// Default: the current folder.
    paths: Vec<PathBuf>,
    /// The port to listen on (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 8717)]
    port: u16,
    /// The address to listen on. Anything but loopback lets anyone who can reach this
    /// machine read the protocols served.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
}

/// Runs `sot serve` until interrupted.
pub fn run(args: &ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        let addr = SocketAddr::new(args.host, args.port);
        if !args.host.is_loopback() {
            eprintln!(
                "warning: listening on {}, not on loopback: anyone who can reach this machine \
                 can read the protocols served (there is no login)",
                args.host
            );
        }
        let server = match sot_serve::Server::bind(&args.paths, addr).await {
            Ok(server) => server,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        };
        let bound = match server.local_addr() {
            Ok(bound) => bound,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        };
        outln!("sot workbench: http://{bound}/");
        eprintln!("serving until interrupted (Ctrl-C); pages follow the files on disk");
        match server.run(|warning| eprintln!("warning: {warning}")).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        }
    })
}
