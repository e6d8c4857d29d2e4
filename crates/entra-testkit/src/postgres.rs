//! A throwaway PostgreSQL cluster for tests that need the real server (the team lease store's):
//! [`Cluster`] runs `initdb` into a fresh temporary folder, starts the server on a free loopback
//! port and a unix socket inside that folder, and on drop stops it and removes the folder.
//!
//! Speed over durability: `fsync`, `full_page_writes` and `synchronous_commit` are off, which is
//! safe here because nothing in the cluster outlives the test.
//!
//! `initdb` and `postgres` refuse to run as root, and tests run as root (CI too): as root, the
//! server's programs run as Debian's `postgres` system user (`runuser -u postgres -- …`, the user
//! the `postgresql` package creates) and the folder is handed to that user. `psql` needs no such
//! care: it connects over the folder's unix socket, where every role is trusted.
//!
//! Std only, like the rest of the crate: processes are run with [`std::process`], the current user
//! is read with `id -u`. Unix only (unix sockets, file modes, `runuser`).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The system user that runs the server when the tests run as root.
const SERVER_USER: &str = "postgres";

/// The cluster's superuser, created by `initdb`.
const SUPERUSER: &str = "postgres";

/// Where Debian installs each major version's server programs (`<version>/bin/`), off `PATH`.
const DEBIAN_VERSIONS: &str = "/usr/lib/postgresql";

const NOT_INSTALLED: &str = "PostgreSQL's server programs (initdb, pg_ctl, postgres) and psql were not found in \
    /usr/lib/postgresql/<version>/bin/ nor on PATH: install Debian's postgresql package (scripts/setup.sh --for-tests)";

/// A running PostgreSQL cluster of its own, in a fresh temporary folder: stopped
/// (`pg_ctl stop -m immediate`) and removed when dropped.
///
/// The folder ([`dir`](Cluster::dir)) holds the data directory (`data/`), the server's log
/// (`server.log`) and the unix socket ([`socket_dir`](Cluster::socket_dir)). Authentication
/// (`pg_hba.conf`), after the caller's own rules ([`start_with`](Cluster::start_with)):
/// - `local all all trust`: over the socket, anyone is anyone ([`sql`](Cluster::sql) uses it);
/// - `host all postgres 127.0.0.1/32 trust`: the superuser over TCP needs no password
///   ([`superuser_url`](Cluster::superuser_url));
/// - `host all all 127.0.0.1/32 scram-sha-256`: every other role signs in with its password
///   ([`create_role`](Cluster::create_role)).
///
/// A process killed before the drop leaves its server running and its folder
/// (`/tmp/entra-pg-<pid>-<n>`) behind.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    /// The folder of `initdb`, `pg_ctl` and `postgres`.
    bin: PathBuf,
    psql: PathBuf,
    /// Whether the server's programs run as [`SERVER_USER`] (the tests run as root).
    as_root: bool,
}

impl Cluster {
    /// Starts a new cluster: `initdb`, then the server on 127.0.0.1 at a free port and on a unix
    /// socket in [`dir`](Cluster::dir), with `max_connections = 200`. Takes about a second.
    ///
    /// Fails with a message naming the fix when PostgreSQL is not installed (see
    /// [`available`](Cluster::available)), or with the end of the server's log when it does not start.
    pub fn start() -> Result<Cluster, String> {
        Cluster::start_with(&[], &[])
    }

    /// [`start`](Cluster::start), with the caller's `postgresql.conf` lines (after the harness's, so
    /// they win; leave `port`, `listen_addresses` and `unix_socket_directories` to the harness) and
    /// `pg_hba.conf` lines (before the harness's, so they are matched first) in place before the
    /// server first starts.
    ///
    /// A setting that names a file in [`dir`](Cluster::dir) (a TLS key, say) cannot be given here,
    /// since the folder does not exist yet: [`write_file`](Cluster::write_file) it, then
    /// [`configure`](Cluster::configure).
    pub fn start_with(conf: &[&str], hba: &[&str]) -> Result<Cluster, String> {
        let bin = server_bin_dir().ok_or(NOT_INSTALLED)?;
        let psql = psql_near(&bin).ok_or(NOT_INSTALLED)?;
        let as_root = run(Command::new("id").arg("-u"), "id -u")? == "0";
        if as_root && run(Command::new("id").args(["-u", SERVER_USER]), "id -u postgres").is_err() {
            return Err(format!(
                "the tests run as root, which PostgreSQL refuses, and there is no `{SERVER_USER}` user to run it as: \
                 install Debian's postgresql package, which creates it (scripts/setup.sh --for-tests)"
            ));
        }
        let dir = fresh_dir()?;
        // From here on the drop cleans up, whatever fails.
        let mut cluster =
            Cluster { data: dir.join("data"), log: dir.join("server.log"), dir, port: 0, bin, psql, as_root };
        cluster.give_to_server(&cluster.dir)?;
        cluster.init(conf, hba)?;
        cluster.first_start()?;
        Ok(cluster)
    }

    /// Whether PostgreSQL's server programs and `psql` are installed. Tests that need them should
    /// fail, not skip, when they are not (`scripts/setup.sh --for-tests` installs them): a skipped
    /// test would pass in CI without checking anything.
    pub fn available() -> bool {
        server_bin_dir().is_some_and(|bin| psql_near(&bin).is_some())
    }

    /// The server's TCP port on 127.0.0.1 (the same after [`stop`](Cluster::stop) and
    /// [`start_again`](Cluster::start_again)).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The folder of the server's unix socket (`.s.PGSQL.<port>`): a `host` for libpq and psql.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// The cluster's own folder, removed on drop: the data directory (`data/`), the server's log
    /// (`server.log`), the socket, and whatever the test puts there (see [`write_file`](Cluster::write_file)).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The superuser over TCP loopback, no password needed:
    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn superuser_url(&self) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs `sql` (any number of statements) as the superuser in the `postgres` database; see [`sql_in`](Cluster::sql_in).
    pub fn sql(&self, sql: &str) -> Result<String, String> {
        self.sql_in("postgres", sql)
    }

    /// Runs `sql` as the superuser in `database` with psql (`-X -q -At -v ON_ERROR_STOP=1`, over
    /// the unix socket, so the caller's `host` rules cannot lock the harness out): its output
    /// trimmed, one row a line and columns separated by `|`; psql's errors when a statement fails
    /// (the statements before it stay done, each being its own transaction unless the SQL says
    /// otherwise).
    pub fn sql_in(&self, database: &str, sql: &str) -> Result<String, String> {
        let mut child = Command::new(&self.psql)
            .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-U", SUPERUSER, "-d", database, "-f", "-"])
            // Our connection is given in full on the command line; these would still change it.
            .env_remove("PGOPTIONS")
            .env_remove("PGSERVICE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.psql.display()))?;
        // The SQL goes through stdin (not `-c`) so that each statement runs on its own, as in a
        // script: `-c` would run them all in one transaction, where `CREATE DATABASE` is refused.
        // A thread writes it, so psql never waits on a full output pipe while we still write.
        let stdin = child.stdin.take();
        let sql = sql.to_owned();
        let writer = std::thread::spawn(move || stdin.map(|mut s| s.write_all(sql.as_bytes())));
        let out = child.wait_with_output().map_err(|e| format!("cannot run {}: {e}", self.psql.display()))?;
        // A write error means psql stopped reading, at an error it reports itself.
        let _ = writer.join();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(format!("psql failed in database {database} ({}): {}", out.status, outputs(&out)))
        }
    }

    /// Creates the database `name`, owned by the superuser (every role may connect, as to any new database).
    pub fn create_database(&self, name: &str) -> Result<(), String> {
        self.sql(&format!("CREATE DATABASE {}", ident(name))).map(drop)
    }

    /// Creates the login role `name` with `password`, which it signs in with over TCP
    /// (scram-sha-256). An error never holds the password, though psql's may quote the statement.
    pub fn create_role(&self, name: &str, password: &str) -> Result<(), String> {
        let sql = format!("CREATE ROLE {} LOGIN PASSWORD {}", ident(name), literal(password));
        self.sql(&sql).map(drop).map_err(|mut e| {
            // As written in the statement first (a quote doubled), then as is.
            for secret in [password.replace('\'', "''"), password.to_string()] {
                if !secret.is_empty() {
                    e = e.replace(&secret, "[redacted]");
                }
            }
            e
        })
    }

    /// Stops the server (`pg_ctl stop -m fast`: connections are ended, the data kept), until
    /// [`start_again`](Cluster::start_again).
    pub fn stop(&self) -> Result<(), String> {
        run(self.server_command("pg_ctl").args(["stop", "-m", "fast", "-w", "-D"]).arg(&self.data), "pg_ctl stop")
            .map(drop)
    }

    /// Starts the server again after [`stop`](Cluster::stop), on the same port (which another
    /// process could have taken in between: the error would say so).
    pub fn start_again(&self) -> Result<(), String> {
        self.pg_ctl_start(&["start"])
    }

    /// Restarts the server (`pg_ctl restart -m fast`): connections are ended, the data kept, and
    /// every setting read again.
    pub fn restart(&self) -> Result<(), String> {
        self.pg_ctl_start(&["restart", "-m", "fast"])
    }

    /// Writes `contents` to the file `name` in [`dir`](Cluster::dir) and returns its path: mode
    /// 0600 and owned by the server's user, as PostgreSQL requires of a TLS key, so the server
    /// can read it when the tests run as root. `name` is a plain file name.
    pub fn write_file(&self, name: &str, contents: &[u8]) -> Result<PathBuf, String> {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(format!("cannot write {name:?} in the cluster's folder: give a plain file name"));
        }
        let path = self.dir.join(name);
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(contents))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.give_to_server(&path)?;
        Ok(path)
    }

    /// Adds `postgresql.conf` lines (after all others, so they win) and `pg_hba.conf` lines (before
    /// all others, so they are matched first), then [`restart`](Cluster::restart)s so that every
    /// setting takes effect. For settings that name files written with [`write_file`](Cluster::write_file).
    pub fn configure(&self, conf: &[&str], hba: &[&str]) -> Result<(), String> {
        self.add_settings(conf, hba)?;
        self.restart()
    }

    /// `initdb`, then the harness's settings and the caller's.
    fn init(&self, conf: &[&str], hba: &[&str]) -> Result<(), String> {
        // -N: no fsync of the new files either; C locale: the same messages and sort order everywhere.
        let mut initdb = self.server_command("initdb");
        initdb.args(["-U", SUPERUSER, "-E", "UTF8", "--locale=C", "-A", "trust", "-N", "-D"]).arg(&self.data);
        run(&mut initdb, "initdb")?;
        let socket_dir = self.dir.to_string_lossy().replace('\'', "''");
        let ours = [
            "# entra-testkit: a throwaway cluster, speed over durability.",
            "listen_addresses = '127.0.0.1'",
            &format!("unix_socket_directories = '{socket_dir}'"),
            "max_connections = 200",
            "fsync = off",
            "full_page_writes = off",
            "synchronous_commit = off",
            // The failing statement would go to server.log, and the tests' statements carry passwords.
            "log_min_error_statement = panic",
        ];
        // initdb's own rules (trust for all) go: ours follow the caller's.
        std::fs::write(self.data.join("pg_hba.conf"), "")
            .map_err(|e| format!("cannot write {}/pg_hba.conf: {e}", self.data.display()))?;
        let hba_ours = [
            "local all all trust",
            &format!("host all {SUPERUSER} 127.0.0.1/32 trust"),
            "host all all 127.0.0.1/32 scram-sha-256",
        ];
        self.add_settings(&ours, &hba_ours)?;
        self.add_settings(conf, hba)
    }

    /// Appends `conf` to `postgresql.conf` and puts `hba` before the rules in `pg_hba.conf`.
    fn add_settings(&self, conf: &[&str], hba: &[&str]) -> Result<(), String> {
        // Written in place, as root too: the files keep their owner (the server's user).
        let conf_path = self.data.join("postgresql.conf");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&conf_path)
            .and_then(|mut f| f.write_all(lines(conf).as_bytes()))
            .map_err(|e| format!("cannot write {}: {e}", conf_path.display()))?;
        let hba_path = self.data.join("pg_hba.conf");
        std::fs::read_to_string(&hba_path)
            .and_then(|rules| std::fs::write(&hba_path, lines(hba) + &rules))
            .map_err(|e| format!("cannot write {}: {e}", hba_path.display()))
    }

    /// Picks a free port and starts; again with another port if the first was taken in between
    /// (the port is free when picked, not reserved).
    fn first_start(&mut self) -> Result<(), String> {
        let mut attempts = 5;
        loop {
            self.port = free_port()?;
            // Appended each time: the last `port` line wins.
            self.add_settings(&[&format!("port = {}", self.port)], &[])?;
            match self.pg_ctl_start(&["start"]) {
                Err(e) if e.contains("Address already in use") && attempts > 1 => attempts -= 1,
                result => return result,
            }
        }
    }

    /// `pg_ctl <action> -w`, the server's output going to `server.log`; on failure, the error
    /// ends with what the server logged meanwhile.
    fn pg_ctl_start(&self, action: &[&str]) -> Result<(), String> {
        let logged_before = std::fs::metadata(&self.log).map_or(0, |m| m.len() as usize);
        let mut pg_ctl = self.server_command("pg_ctl");
        pg_ctl.args(action).args(["-w", "-t", "60", "-l"]).arg(&self.log).arg("-D").arg(&self.data);
        run(&mut pg_ctl, &format!("pg_ctl {}", action[0])).map(drop).map_err(|e| {
            let log = std::fs::read(&self.log).unwrap_or_default();
            let new = String::from_utf8_lossy(log.get(logged_before..).unwrap_or_default()).into_owned();
            let tail: Vec<&str> = new.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            format!("{e}\n{} says:\n{}", self.log.display(), tail.join("\n"))
        })
    }

    /// A command running the server program `program` as the server's user.
    fn server_command(&self, program: &str) -> Command {
        let mut command = if self.as_root {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", SERVER_USER, "--"]).arg(self.bin.join(program));
            runuser
        } else {
            Command::new(self.bin.join(program))
        };
        // The caller's folder may be closed to the server's user, and the server would say so.
        command.current_dir(&self.dir);
        command
    }

    /// Hands `path` to the server's user, when the tests run as root.
    fn give_to_server(&self, path: &Path) -> Result<(), String> {
        if !self.as_root {
            return Ok(());
        }
        run(Command::new("chown").arg(format!("{SERVER_USER}:")).arg(path), "chown").map(drop)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pid_file = self.data.join("postmaster.pid");
        if pid_file.exists() {
            let mut stop = self.server_command("pg_ctl");
            stop.args(["stop", "-m", "immediate", "-w", "-D"]).arg(&self.data);
            if run(&mut stop, "pg_ctl stop").is_err() {
                // The server must not outlive its folder: kill the postmaster (its first line);
                // its children notice and exit.
                let pid = std::fs::read_to_string(&pid_file).unwrap_or_default();
                if let Some(pid) = pid.lines().next().filter(|p| p.parse::<u32>().is_ok()) {
                    let _ = Command::new("kill").args(["-KILL", pid]).status();
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `command` to its end; its stdout trimmed, or an error naming `what` with both outputs.
fn run(command: &mut Command, what: &str) -> Result<String, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {what} ({}): {e}", Path::new(command.get_program()).display()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!("{what} failed ({}): {}", out.status, outputs(&out)))
    }
}

/// A failed command's stderr and stdout, trimmed.
fn outputs(out: &std::process::Output) -> String {
    let (stderr, stdout) = (String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    [stderr.trim(), stdout.trim()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("\n")
}

/// The folder of `initdb`, `pg_ctl` and `postgres`: the highest version's in Debian's
/// `/usr/lib/postgresql/<version>/bin/`, else the one on `PATH`.
fn server_bin_dir() -> Option<PathBuf> {
    let has_server = |bin: &Path| ["initdb", "pg_ctl", "postgres"].iter().all(|p| bin.join(p).is_file());
    let debian = std::fs::read_dir(DEBIAN_VERSIONS)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse::<u32>().ok()?, entry.path().join("bin"))))
        .filter(|(_, bin)| has_server(bin))
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin);
    debian.or_else(|| Some(on_path("initdb")?.parent()?.to_path_buf()).filter(|bin| has_server(bin)))
}

/// `psql` of the same version as the server, else the one on `PATH`.
fn psql_near(bin: &Path) -> Option<PathBuf> {
    Some(bin.join("psql")).filter(|p| p.is_file()).or_else(|| on_path("psql"))
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// A new, empty folder of our own: `<temp>/entra-pg-<pid>-<n>`. Short, because the socket's path
/// in it (`.s.PGSQL.<port>`, and its `.lock`) must fit a unix socket address (107 bytes): `/tmp`
/// when the temporary folder's path is too long.
fn fresh_dir() -> Result<PathBuf, String> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let temp = std::env::temp_dir();
    let parent = if temp.as_os_str().len() + "/entra-pg-4294967295-4294967295/.s.PGSQL.65535.lock".len() <= 107 {
        temp
    } else {
        PathBuf::from("/tmp")
    };
    // A folder left by a killed process of the same pid is skipped, not reused.
    for _ in 0..1000 {
        let dir = parent.join(format!("entra-pg-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    Err(format!("cannot create a folder in {}: 1000 names taken; remove the old entra-pg-* folders", parent.display()))
}

/// A port free on 127.0.0.1 when asked (the kernel's pick for port 0).
fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("cannot find a free port: {e}"))
}

/// `lines`, each ended by a newline.
fn lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// `name` as an SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as an SQL string literal (`standard_conforming_strings` is on: backslashes are plain).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The URL of database `name` in the cluster whose superuser URL is `superuser_url` (another
/// process's [`Cluster`], e.g. `with_postgres`'s `ENTRA_TEST_TEAM_STORE`), created if missing.
pub fn database_in(superuser_url: &str, name: &str) -> Result<String, String> {
    let psql = |sql: &str| {
        Command::new("psql").args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", superuser_url, "-c", sql]).output().map_err(|e| format!("cannot run psql: {e}"))
    };
    let exists = psql(&format!("SELECT 1 FROM pg_database WHERE datname = {}", literal(name)))?;
    if String::from_utf8_lossy(&exists.stdout).trim() != "1" {
        let created = psql(&format!("CREATE DATABASE {}", ident(name)))?;
        if !created.status.success() {
            return Err(format!("CREATE DATABASE {name}: {}", String::from_utf8_lossy(&created.stderr)));
        }
    }
    let (server, _) = superuser_url.rsplit_once('/').ok_or_else(|| format!("{superuser_url} names no database"))?;
    Ok(format!("{server}/{name}"))
}
