//! Process limits a hub needs raised. Every connected agent holds one open socket, and the
//! usual default soft limit of open files (1,024 under systemd and most shells) would refuse
//! agents long before memory or CPU run short; the hard limit (524,288 under systemd) is there
//! to be used, so the hub raises its soft limit to it at start, as Go programs and nginx
//! (`worker_rlimit_nofile`) do.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Raises the soft limit of open files to the hard limit; returns the limit now in force
/// (`None` when it is unlimited or could not be read).
pub fn raise_open_files_limit() -> Option<u64> {
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if let Err(err) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!(error = %err, "cannot raise the open-files limit");
        }
    }
    getrlimit(Resource::Nofile).current
}
