//! `sot serve`: the workbench in the browser. It serves the protocol files below the named
//! paths: each one's handbook (as `sot doc` renders it), its cases evaluated (as `sot run`
//! reports them), and a findings form generated from its indicators that is evaluated as
//! the student edits it, exported as a `.sot` case or JSON case data. Pages follow the files
//! on disk (server-sent events).
//!
//! Nothing is computed twice: the files are loaded by `sot-files`, checked and lowered by
//! `sot-compiler`, evaluated by `sot-runtime` and rendered by `sot-report`. Every page is
//! made with maud (protocol text is escaped), carries a strict Content-Security-Policy, and
//! its one script is embedded in the binary and served from the same origin.
//!
//! Architecture invariant: the server reads only the files below the named paths and what
//! they `use`, writes no file, and never depends on the binary, miette, clap or the
//! language server.

mod assets;
mod evaluate;
mod export;
mod form;
mod library;
mod pages;
mod practice;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, OnceLock, RwLock};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sot_report::page::SERVED_POLICY;
use tokio::sync::broadcast;

pub use library::Library;

/// The policy of every response: the served pages' own (scripts, styles and fetches from
/// this server only), and no framing by other sites.
pub static POLICY: LazyLock<String> =
    LazyLock::new(|| format!("{SERVED_POLICY}; frame-ancestors 'none'"));

/// The state every request sees: the current library, and who is told when it changes.
pub struct Workbench {
    library: RwLock<Arc<Library>>,
    changes: broadcast::Sender<u64>,
    /// On loopback, the `Host` headers answered (`127.0.0.1:PORT`, `localhost:PORT`,
    /// `[::1]:PORT`): a page of another site that rebinds its name to 127.0.0.1 sends its
    /// own name, and is refused. Empty: every host (another address was chosen).
    hosts: OnceLock<Vec<String>>,
}

impl Workbench {
    /// A workbench over the files below `named` (none: the current folder), loaded now.
    pub fn load(named: &[PathBuf]) -> Result<Arc<Workbench>, String> {
        let named = if named.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            named.to_vec()
        };
        let library = Library::load(&named, 1)?;
        let (changes, _) = broadcast::channel(16);
        Ok(Arc::new(Workbench {
            library: RwLock::new(Arc::new(library)),
            changes,
            hosts: OnceLock::new(),
        }))
    }

    /// The library as it is now.
    pub fn library(&self) -> Arc<Library> {
        match self.library.read() {
            Ok(l) => l.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Loads the files again and tells every open page; returns the new version.
    pub fn reload(&self) -> Result<u64, String> {
        let old = self.library();
        let library = Library::load(&old.named, old.version + 1)?;
        let version = library.version;
        match self.library.write() {
            Ok(mut l) => *l = Arc::new(library),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(library),
        }
        // No page open is no error.
        let _ = self.changes.send(version);
        Ok(version)
    }

    /// Tells of every reload from now on.
    fn subscribe(&self) -> broadcast::Receiver<u64> {
        self.changes.subscribe()
    }
}

/// The workbench's routes (what the tests drive without a socket).
pub fn router(workbench: Arc<Workbench>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/handbook", get(pages::handbook))
        .route("/cases", get(pages::cases))
        .route("/form", get(form::page))
        .route("/practice", get(practice::page))
        .route("/api/evaluate", post(evaluate::evaluate))
        .route("/api/practice", post(practice::api))
        .route("/api/export", post(export::export))
        .route("/api/status", get(evaluate::status))
        .route("/events", get(watch::events))
        .route("/assets/{name}", get(assets::asset))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(workbench.clone(), secure))
        .with_state(workbench)
}

/// The headers every response carries: the Content-Security-Policy, no MIME sniffing, no
/// referrer, and no caching of pages that follow the files.
async fn secure(State(workbench): Bench, request: Request, next: Next) -> Response {
    if let Some(hosts) = workbench.hosts.get().filter(|h| !h.is_empty()) {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return plain(
                StatusCode::MISDIRECTED_REQUEST,
                format!("this workbench answers only at {}", hosts.join(", ")),
            );
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// A server bound to its address, not yet serving.
pub struct Server {
    listener: tokio::net::TcpListener,
    workbench: Arc<Workbench>,
}

impl Server {
    /// Loads the files below `named` and binds `addr` (port 0: a free port).
    pub async fn bind(named: &[PathBuf], addr: SocketAddr) -> Result<Server, String> {
        let workbench = Workbench::load(named)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("cannot read the address listened on: {e}"))?
            .port();
        let hosts = match addr.ip().is_loopback() {
            true => ["127.0.0.1", "localhost", "[::1]"]
                .iter()
                .map(|h| format!("{h}:{port}"))
                .collect(),
            false => Vec::new(),
        };
        let _ = workbench.hosts.set(hosts);
        Ok(Server {
            listener,
            workbench,
        })
    }

    /// The address bound (with the port chosen when port 0 was asked for).
    pub fn local_addr(&self) -> Result<SocketAddr, String> {
        self.listener
            .local_addr()
            .map_err(|e| format!("cannot read the address listened on: {e}"))
    }

    /// Serves until the process ends, reloading the library when its files change;
    /// `warn` is told what the watcher could not do.
    pub async fn run(self, warn: impl Fn(String) + Send + Sync + 'static) -> Result<(), String> {
        let watcher = watch::start(self.workbench.clone(), warn)?;
        let served = axum::serve(self.listener, router(self.workbench))
            .await
            .map_err(|e| format!("the server stopped: {e}"));
        drop(watcher);
        served
    }
}

/// A plain-text answer with a status (a missing file, a bad request).
fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.into(),
    )
        .into_response()
}

/// The state extractor every handler takes.
type Bench = State<Arc<Workbench>>;
