//! The background thread: the whole-file requests editors send after every change (semantic
//! tokens, document symbols), their answers turned into JSON and freed, run on one thread of
//! lower scheduling priority, so that on a busy machine the next edit's diagnostics get the
//! cores first (the kernel runs a thread of the normal priority before it, and preempts it).

use std::sync::{mpsc, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// Runs `f` on the background thread and waits for it; `None` if it panicked (or the thread
/// could not be started).
pub(crate) async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = answer.send(value.ok());
    });
    queue()?.lock().ok()?.send(job).ok()?;
    answered.await.ok().flatten()
}

/// The background thread's queue, the thread started at the first job.
fn queue() -> Option<&'static Mutex<mpsc::Sender<Job>>> {
    static QUEUE: OnceLock<Option<Mutex<mpsc::Sender<Job>>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (send, jobs) = mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("sot-lsp-background".into())
                .spawn(move || {
                    lower_priority();
                    // A job catches its own panic: the thread outlives it.
                    for job in jobs {
                        job();
                    }
                })
                .ok()?;
            Some(Mutex::new(send))
        })
        .as_ref()
}

/// The nice value of the background thread (0 is the normal priority; 19 the lowest).
#[cfg(target_os = "linux")]
const NICE: libc::c_int = 10;

/// Lowers the calling thread's priority (on Linux a nice value is the thread's own).
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: gettid and setpriority only read their arguments; a failure (not permitted)
    // leaves the thread at its priority, which is only slower for the diagnostics.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICE);
    }
}

/// Elsewhere the thread keeps the normal priority: it is still one thread, one job at a time.
#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_job_answers_and_a_panicking_job_answers_none() {
        assert_eq!(super::run(|| 6 * 7).await, Some(42));
        assert_eq!(
            super::run(|| -> u8 { panic!("a job that fails") }).await,
            None
        );
        // The thread outlives the panic.
        assert_eq!(super::run(|| "still here").await, Some("still here"));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_background_thread_runs_at_a_lower_priority() {
        let nice = super::run(|| unsafe {
            // SAFETY: reads the calling thread's nice value.
            libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t)
        })
        .await
        .expect("the job answers");
        // At least NICE: a process started at a lower priority than that stays there.
        assert!(nice >= super::NICE, "nice {nice}");
    }
}
