//! The `courier-server` command line: configuration from flags, the
//! environment and a TOML file, and the admin commands' refusals.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use courier_e2e::server_bin;

/// Starts `courier-server` with `args` and `env`, returns the address it
/// says it listens on, and stops it.
fn listening_address(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut child = Command::new(server_bin())
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    line.trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn flags_override_the_environment_which_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("courier.toml");
    std::fs::write(
        &file,
        format!(
            "data-dir = {:?}\nlisten = \"127.0.0.2:0\"\n",
            data.display().to_string()
        ),
    )
    .unwrap();
    let config = file.to_str().unwrap();

    assert!(listening_address(&["--config", config], &[]).starts_with("http://127.0.0.2:"));
    assert!(
        data.join("courier.db").exists(),
        "the file's data folder is used"
    );
    let from_env = listening_address(&["--config", config], &[("COURIER_LISTEN", "127.0.0.3:0")]);
    assert!(from_env.starts_with("http://127.0.0.3:"), "{from_env}");
    let from_flag = listening_address(
        &["--config", config, "--listen", "127.0.0.4:0"],
        &[("COURIER_LISTEN", "127.0.0.3:0")],
    );
    assert!(from_flag.starts_with("http://127.0.0.4:"), "{from_flag}");
}

fn run(args: &[&str], input: &str) -> (bool, String) {
    let mut child = Command::new(server_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn the_demo_fills_only_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, text) = run(&["demo", "--data-dir", data], "");
    assert!(ok, "{text}");
    assert!(
        text.contains("courier-demo"),
        "the password is printed: {text}"
    );
    let (ok, text) = run(&["demo", "--data-dir", data], "");
    assert!(!ok);
    assert!(text.contains("already holds data"), "{text}");
}

#[test]
fn admin_commands_refuse_bad_input_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let add = |symbol: &str, zone: &str| {
        run(
            &[
                "add-library",
                "--data-dir",
                data,
                "--symbol",
                symbol,
                "--name",
                "Test Library",
                "--time-zone",
                zone,
            ],
            "",
        )
    };
    assert!(add("TEST", "Europe/Paris").0);
    let (ok, text) = add("TEST", "Europe/Paris");
    assert!(!ok && text.contains("exists already"), "{text}");
    let (ok, text) = add("OTHR", "Mars/Olympus");
    assert!(!ok && text.contains("unknown time zone"), "{text}");

    let staff = |user: &str, password: &str| {
        run(
            &[
                "add-staff",
                "--data-dir",
                data,
                "--library",
                "TEST",
                "--username",
                user,
            ],
            password,
        )
    };
    let (ok, text) = staff("short", "abc\n");
    assert!(!ok && text.contains("at least 8 characters"), "{text}");
    assert!(staff("jdoe", "a good password\n").0);
    let (ok, text) = staff("jdoe", "another password\n");
    assert!(!ok && text.contains("taken"), "{text}");
    let (ok, text) = run(
        &[
            "add-staff",
            "--data-dir",
            data,
            "--library",
            "NONE",
            "--username",
            "x",
        ],
        "a good password\n",
    );
    assert!(!ok && text.contains("no library"), "{text}");
}

#[test]
fn a_password_on_the_command_line_is_not_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = run(
        &[
            "add-staff",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--library",
            "X",
            "--username",
            "u",
            "--password",
            "secret",
        ],
        "",
    );
    assert!(!ok);
    assert!(
        text.contains("--password"),
        "clap names the unknown flag: {text}"
    );
}

#[test]
fn a_missing_document_key_stops_the_start_when_links_depend_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(run(&["demo", "--data-dir", data], "").0);
    std::fs::remove_file(dir.path().join("document.key")).unwrap();

    let (ok, text) = run(&["--data-dir", data, "--listen", "127.0.0.1:0"], "");
    assert!(!ok, "the server refuses to start");
    assert!(text.contains("document.key is missing"), "{text}");
    assert!(
        !dir.path().join("document.key").exists(),
        "no new key was made"
    );
}

#[test]
fn add_library_checks_the_ill_address() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, text) = run(
        &[
            "add-library",
            "--data-dir",
            data,
            "--symbol",
            "BAD",
            "--name",
            "Bad",
            "--ill-email",
            "x@example.org\r\nBcc: y@example.org",
        ],
        "",
    );
    assert!(!ok && text.contains("not an e-mail address"), "{text}");
}
