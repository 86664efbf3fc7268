//! Keeping a command's SQLite work on one CPU core.
//!
//! sqlx runs every SQLite connection on a thread of its own and hands each statement to it and its
//! result back, so every statement costs two thread wake-ups. When the two threads sit on different
//! cores a wake-up costs an inter-processor interrupt, which on virtual machines is slow: measured on
//! a 2-core VM, a `SELECT 1` round trip took about 50 µs across cores and about 7 µs on one core.
//! The command line's work is sequential (one task drives the database at a time), so it loses no
//! parallelism by keeping its runtime thread and the connection threads it spawns on the core it
//! started on. Threads spawned after this call inherit the setting.
//!
//! On one core a wake-up still costs a switch between the two threads, and by default Linux switches
//! at once to the thread that was woken: when the connection thread hands back a statement's result
//! and goes on to the next statement of a batch, the runtime thread takes the core for that one
//! result and gives it back. Pinned commands therefore also run under `SCHED_BATCH`, whose threads
//! do not take the core from the thread that woke them: the connection thread finishes its batch
//! and the runtime thread collects all the results in one go. On the ledger benchmark this halved
//! the context switches per trade (57 to about 30).
//!
//! `--all-cores` (or `ZHANGGUI_ALL_CORES=1`) turns both off. PostgreSQL commands are never pinned:
//! their server runs in other processes and the client does its I/O on the runtime thread.

/// The cores other than the one a command's database work is pinned to, that the process was
/// allowed on.
#[derive(Clone, Copy)]
pub struct Pinned {
    #[cfg(target_os = "linux")]
    others: nix::sched::CpuSet,
    #[cfg(target_os = "linux")]
    any_other: bool,
}

impl Pinned {
    /// Moves the calling thread to the cores other than the pinned one (when there are any): for the
    /// threads that read and parse files beside the database work, so that reading an export goes on
    /// while the pinned core writes. Returns whether the thread moved.
    #[cfg(target_os = "linux")]
    pub fn leave_pinned_core(&self) -> bool {
        use nix::sched::sched_setaffinity;
        use nix::unistd::Pid;
        self.any_other && sched_setaffinity(Pid::from_raw(0), &self.others).is_ok()
    }

    #[cfg(not(target_os = "linux"))]
    pub fn leave_pinned_core(&self) -> bool {
        false
    }
}

/// Pins the calling thread (and the threads it spawns later) to the core it runs on. Returns the
/// other cores, or `None` when the platform does not allow it (the command then runs
/// unpinned).
#[cfg(target_os = "linux")]
pub fn stay_on_current_core() -> Option<Pinned> {
    use nix::sched::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};
    use nix::unistd::Pid;
    let cpu = sched_getcpu().ok()?;
    let mut others = sched_getaffinity(Pid::from_raw(0)).ok()?;
    others.unset(cpu).ok()?;
    let any_other = (0..CpuSet::count()).any(|c| others.is_set(c).unwrap_or(false));
    let mut set = CpuSet::new();
    set.set(cpu).ok()?;
    sched_setaffinity(Pid::from_raw(0), &set).ok()?;
    Some(Pinned { others, any_other })
}

/// Lets the calling thread (and the threads it spawns later) run under `SCHED_BATCH` at the usual
/// nice value: a thread it wakes waits for it to block or for the next tick instead of taking the
/// core at once. Returns whether the setting took.
#[cfg(target_os = "linux")]
pub fn batch_scheduling() -> bool {
    use thread_priority::unix::{
        NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy, thread_native_id,
    };
    use thread_priority::{ThreadPriority, ThreadPriorityOsValue};
    set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Os(ThreadPriorityOsValue::default()),
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch),
    )
    .is_ok()
}

#[cfg(not(target_os = "linux"))]
pub fn batch_scheduling() -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
pub fn stay_on_current_core() -> Option<Pinned> {
    None
}

/// Does this database URL name SQLite (the default)?
pub fn is_sqlite(url: &str) -> bool {
    !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_sqlite_urls_are_pinned() {
        assert!(super::is_sqlite("sqlite://zhanggui.db"));
        assert!(super::is_sqlite("shop.db"));
        assert!(!super::is_sqlite("postgres://postgres@127.0.0.1/test"));
        assert!(!super::is_sqlite("postgresql://u@h/db"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pinned_thread_reports_one_allowed_core() {
        // Run in a thread of its own so the test harness's threads are left alone.
        let pinned = std::thread::spawn(|| {
            let pinned = super::stay_on_current_core()?;
            let allowed = || {
                let set = nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0)).ok()?;
                Some((0..nix::sched::CpuSet::count()).filter(|c| set.is_set(*c).unwrap_or(false)).collect::<Vec<_>>())
            };
            let on_pinned = allowed()?;
            // A reader thread spawned later leaves the pinned core for the others, if there are any.
            let reader = std::thread::spawn(move || (pinned.leave_pinned_core(), allowed())).join().ok()?;
            Some((on_pinned, reader))
        })
        .join();
        if let Ok(Some((allowed, (moved, reader)))) = pinned {
            assert_eq!(allowed.len(), 1, "{allowed:?}");
            let cpu = allowed[0];
            let reader = reader.unwrap_or_default();
            assert_eq!(moved, !reader.contains(&cpu), "{reader:?}");
            assert!(!reader.is_empty());
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn batch_scheduling_is_inherited_by_spawned_threads() {
        use thread_priority::unix::{NormalThreadSchedulePolicy, ThreadSchedulePolicy, thread_schedule_policy};
        let policies = std::thread::spawn(|| {
            if !super::batch_scheduling() {
                return None;
            }
            let own = thread_schedule_policy().ok()?;
            let child = std::thread::spawn(thread_schedule_policy).join().ok()?.ok()?;
            Some((own, child))
        })
        .join();
        let batch = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
        assert_eq!(policies.ok().flatten(), Some((batch, batch)));
    }
}
