//! `courier-server`: runs the server, fills a demo, or sets up libraries and
//! staff.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use courier_server::config::{
    FileConfig, DEFAULT_HEADER_TIMEOUT_SECONDS, DEFAULT_NOTICE_RETRY_SECONDS,
    DEFAULT_SESSION_TTL_SECONDS,
};
use courier_server::db::libraries::{self, NewLibrary};
use courier_server::db::Store;
use courier_server::{api, demo, ServerConfig};

#[derive(Parser)]
#[command(
    name = "courier-server",
    version,
    about = "Courier Server: delivers interlibrary-loan copies to patrons."
)]
struct Cli {
    /// A TOML file with any of the settings below (kebab-case keys).
    #[arg(long, env = "COURIER_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// The folder with the database and the documents.
    #[arg(long, env = "COURIER_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Where to listen [default: 0.0.0.0:8470].
    #[arg(long, env = "COURIER_LISTEN", global = true)]
    listen: Option<SocketAddr>,
    /// The address patrons reach, used in links [default: http:// and the listen address].
    #[arg(long, env = "COURIER_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// The mail server for notices, as smtp://HOST:PORT.
    #[arg(long, env = "COURIER_SMTP_URL", global = true)]
    smtp_url: Option<String>,
    /// The sender address of notices.
    #[arg(long, env = "COURIER_MAIL_FROM", global = true)]
    mail_from: Option<String>,
    /// How long a staff sign-in lasts, in seconds [default: 43200].
    #[arg(long, env = "COURIER_SESSION_TTL_SECONDS", global = true)]
    session_ttl_seconds: Option<u64>,
    /// The first wait before a failed notice is tried again, in seconds; it doubles each try [default: 30].
    #[arg(long, env = "COURIER_NOTICE_RETRY_SECONDS", global = true)]
    notice_retry_seconds: Option<u64>,
    /// How long a client may take to send a request's headers, in seconds [default: 30].
    #[arg(long, env = "COURIER_HEADER_TIMEOUT_SECONDS", global = true)]
    header_timeout_seconds: Option<u64>,
    /// Log lines as `text` or `json`.
    #[arg(
        long,
        env = "COURIER_LOG_FORMAT",
        global = true,
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the server (the default).
    Serve,
    /// Fills an empty data folder with two libraries, their staff and requests.
    Demo,
    /// Adds a library.
    AddLibrary {
        /// Its short symbol, such as BVAS.
        #[arg(long)]
        symbol: String,
        /// Its full name.
        #[arg(long)]
        name: String,
        /// Its ILL office's e-mail address.
        #[arg(long, default_value = "")]
        ill_email: String,
        /// Its IANA time zone, such as America/New_York.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Adds a staff member; the password is read from the terminal or standard input.
    AddStaff {
        /// The symbol of the staff member's library.
        #[arg(long)]
        library: String,
        /// The user name they sign in with.
        #[arg(long)]
        username: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let config = resolve(&cli)?;

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Demo => {
            demo::fill(&config.data_dir)?;
            println!("Demo data written to {}.", config.data_dir.display());
            println!("Sign in as `lender` (Riverside University Library, RVUL) or `borrower` (Bay View Academy of Sciences Library, BVAS),");
            println!("both with the password `{}`.", demo::PASSWORD);
            Ok(())
        }
        Command::AddLibrary {
            symbol,
            name,
            ill_email,
            time_zone,
        } => {
            let store = Store::open(&data_file(&config)?)?;
            let new = NewLibrary {
                symbol: &symbol,
                name: &name,
                ill_email: &ill_email,
                time_zone: &time_zone,
            };
            store
                .write_blocking(|conn| libraries::add_library(conn, &new))
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!("Library {} added.", symbol.to_ascii_uppercase());
            Ok(())
        }
        Command::AddStaff { library, username } => {
            let store = Store::open(&data_file(&config)?)?;
            let password = read_password()?;
            let hash = api::hash_password(&password)?;
            store
                .write_blocking(|conn| {
                    let lib = libraries::by_symbol(conn, &library.to_ascii_uppercase())?
                        .ok_or_else(|| {
                            courier_server::error::ApiError::invalid(format!(
                                "no library has the symbol {library}"
                            ))
                        })?;
                    libraries::add_staff(conn, lib.id, &username, &hash)
                })
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "Staff member {username} added to {}.",
                library.to_ascii_uppercase()
            );
            Ok(())
        }
    }
}

/// Flags, then environment (both through clap), then the file, then defaults.
fn resolve(cli: &Cli) -> anyhow::Result<ServerConfig> {
    let file = match &cli.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    let data_dir = cli
        .data_dir
        .clone()
        .or(file.data_dir)
        .context("set the data folder with --data-dir, COURIER_DATA_DIR or data-dir in the configuration file")?;
    let listen = cli
        .listen
        .or(file.listen)
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 8470)));

    Ok(ServerConfig {
        data_dir,
        listen,
        public_url: cli.public_url.clone().or(file.public_url),
        smtp_url: cli.smtp_url.clone().or(file.smtp_url),
        mail_from: cli.mail_from.clone().or(file.mail_from),
        session_ttl_seconds: cli
            .session_ttl_seconds
            .or(file.session_ttl_seconds)
            .unwrap_or(DEFAULT_SESSION_TTL_SECONDS),
        notice_retry_seconds: cli
            .notice_retry_seconds
            .or(file.notice_retry_seconds)
            .unwrap_or(DEFAULT_NOTICE_RETRY_SECONDS),
        header_timeout_seconds: cli
            .header_timeout_seconds
            .or(file.header_timeout_seconds)
            .unwrap_or(DEFAULT_HEADER_TIMEOUT_SECONDS),
    })
}

fn data_file(config: &ServerConfig) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    Ok(config.data_dir.join("courier.db"))
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.chars().count() < 8 {
        bail!("a password needs at least 8 characters");
    }
    Ok(password)
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn,lopdf=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn serve(config: ServerConfig) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let server = courier_server::start(config.clone()).await?;
        println!("Courier Server listening on http://{}", server.local_addr());
        tracing::info!(data_dir = %config.data_dir.display(), public_url = %config.public_url(), "Courier Server is running");

        shutdown_signal().await;
        tracing::info!("stopping: finishing running transfers");
        server.shutdown().await;
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
