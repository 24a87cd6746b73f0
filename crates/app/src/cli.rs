//! The command line: one subcommand per job, each a thin layer over the store, the domain
//! and the web server. Errors go to standard error with a non-zero exit status.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use sellerq_domain::model::{self, Model};
use sellerq_domain::{Email, OrgName, Role};
use sellerq_store::sqlite::SqliteStore;
use sellerq_store::{Actor, Store};

use crate::config::{Config, LogFormat};
use crate::security;

/// sellerq — assess, coach and hire enterprise sellers on eight leading qualities, and test
/// on your own data whether they predict results better than résumé facts.
#[derive(Debug, Parser)]
#[command(name = "sellerq", version, about, max_term_width = 100)]
pub struct Cli {
    /// The SQLite database file (created on first use).
    #[arg(
        long,
        env = "SELLERQ_DB",
        default_value = "./sellerq.db",
        global = true
    )]
    pub db: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application and the JSON API.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an organisation and its first admin (prints a generated password once).
    Init(InitArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Show, validate and compare Seller Qualities Model files.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Reliability and validity of the ratings, from people/ratings/outcomes CSV files (no
    /// database).
    Analyze(crate::analyze::AnalyzeArgs),
    /// Import a FORMATS.md CSV file into an organisation: the whole file or nothing.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export an organisation's data as FORMATS.md CSV.
    #[command(subcommand)]
    Export(ExportCommand),
}

/// `sellerq import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import ratings.csv. Cycles the file names are created (open, on the current model
    /// version) when absent. Every bad row is reported as `file:line: column: problem`.
    Ratings(ImportArgs),
    /// Import people.csv: people are created or updated by id; unknown teams are created.
    People(ImportArgs),
    /// Import outcomes.csv: one value per subject, period and metric; a value already stored
    /// is replaced; metrics the organisation lacks are created (label = key).
    Outcomes(ImportArgs),
}

/// Options of `sellerq import ratings|people|outcomes`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (`-` for standard input).
    pub file: PathBuf,
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
}

/// `sellerq export …`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export submitted ratings as ratings.csv (by cycle, subject, rater and quality).
    Ratings(ExportArgs),
    /// Export people as people.csv (by id), trailing indicators included.
    People(ExportPeopleArgs),
    /// Export outcomes as outcomes.csv (by subject, metric and period).
    Outcomes(ExportOutcomesArgs),
}

/// Options of `sellerq export people`.
#[derive(Debug, Args)]
pub struct ExportPeopleArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Options of `sellerq export outcomes`.
#[derive(Debug, Args)]
pub struct ExportOutcomesArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// Only this metric (by key, e.g. quota_attainment).
    #[arg(long)]
    pub metric: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Options of `sellerq export ratings`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// Only this cycle (by name).
    #[arg(long)]
    pub cycle: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Options of `sellerq serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "SELLERQ_BIND", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Create the demo organisation (if absent) and print its logins.
    #[arg(long)]
    pub demo: bool,
    /// Mark cookies Secure: use when sellerq is served over HTTPS (behind a proxy).
    #[arg(long, env = "SELLERQ_HTTPS_COOKIES")]
    pub https_cookies: bool,
    /// Log line format.
    #[arg(long, env = "SELLERQ_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Do not compute the validity and reliability reports in the background (at start and
    /// after each change of the data); each is then computed when first opened.
    #[arg(long, env = "SELLERQ_NO_PRECOMPUTE")]
    pub no_precompute: bool,
}

/// Options of `sellerq init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The new organisation's name.
    #[arg(long)]
    pub org: String,
    /// The first admin's e-mail (an existing user is made admin of the new organisation).
    #[arg(long)]
    pub admin_email: String,
    /// The first admin's display name (defaults to the e-mail's local part).
    #[arg(long)]
    pub admin_name: Option<String>,
}

/// `sellerq user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user to an organisation with a role (a new user gets a generated password,
    /// printed once; an existing user keeps theirs and gains the membership).
    Add(UserAddArgs),
}

/// Options of `sellerq user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// The user's e-mail (the person with the same e-mail in the organisation is this user).
    #[arg(long)]
    pub email: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// admin, leader, manager, coach, seller or interviewer.
    #[arg(long)]
    pub role: String,
    /// A team the manager or coach looks after (repeatable).
    #[arg(long = "team")]
    pub teams: Vec<String>,
}

/// `sellerq token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user in an organisation (printed once).
    Create(TokenCreateArgs),
}

/// Options of `sellerq token create`.
#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// The user's e-mail.
    #[arg(long)]
    pub email: String,
    /// A label to recognise the token by.
    #[arg(long, default_value = "cli")]
    pub label: String,
}

/// Output formats of `model show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

/// `sellerq model …`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Print a model: the default one, a file's, or an organisation's current version.
    Show {
        /// text or json (the shape of GET /api/v1/model).
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
        /// A model file to show instead of the default model.
        #[arg(long, conflicts_with = "org")]
        file: Option<PathBuf>,
        /// Show this organisation's current model version (reads the database).
        #[arg(long)]
        org: Option<String>,
    },
    /// Check a model file; every problem is printed with its field path.
    Validate {
        /// The TOML file.
        file: PathBuf,
    },
    /// Compare two model files: qualities added, removed, renamed, anchors changed.
    Diff {
        /// The older file.
        old: PathBuf,
        /// The newer file.
        new: PathBuf,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.db, args).await,
        Command::Migrate => {
            // Opening the store applies any pending migration; then list what is in place.
            let store = open_store(&cli.db).await?;
            store.migrate().await?;
            for (version, description) in store.applied_migrations().await? {
                println!("{version:04} {description}");
            }
            println!("{}: the schema is up to date", cli.db.display());
            Ok(())
        }
        Command::Init(args) => init(&cli.db, args).await,
        Command::User(UserCommand::Add(args)) => user_add(&cli.db, args).await,
        Command::Token(TokenCommand::Create(args)) => token_create(&cli.db, args).await,
        Command::Model(cmd) => model_command(&cli.db, cmd).await,
        Command::Analyze(args) => crate::analyze::run(args),
        Command::Import(cmd) => import_command(&cli.db, cmd).await,
        Command::Export(ExportCommand::Ratings(args)) => export_ratings(&cli.db, args).await,
        Command::Export(ExportCommand::People(args)) => export_people(&cli.db, args).await,
        Command::Export(ExportCommand::Outcomes(args)) => export_outcomes(&cli.db, args).await,
    }
}

/// Opens `path` for reading (`-` is standard input), with its size when known.
fn open_input(path: &Path) -> anyhow::Result<(Box<dyn std::io::Read + Send>, String, Option<u64>)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin()), "<stdin>".to_owned(), None));
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), path.display().to_string(), size))
}

async fn import_command(db: &Path, cmd: ImportCommand) -> anyhow::Result<()> {
    use crate::transfer::{self, Counted, Progress};
    let (args, what) = match &cmd {
        ImportCommand::Ratings(a) => (a, "ratings"),
        ImportCommand::People(a) => (a, "people"),
        ImportCommand::Outcomes(a) => (a, "outcomes"),
    };
    let (input, source, size) = open_input(&args.file)?;
    let store = open_store(db).await?;
    let org = org_named(&store, &args.org).await?;
    let actor = Actor::system("cli");
    let progress = Progress::reading(size, "reading");
    let counted = Counted::new(input, &progress);
    match cmd {
        ImportCommand::Ratings(_) => {
            let read = transfer::ratings::read(counted, &source);
            let (batch, problems) = read.inspect_err(|_| progress.finish())?;
            let done =
                transfer::ratings::import(&store, org.id, &batch, problems, &actor, &progress)
                    .await;
            progress.finish();
            let done = done?;
            let created = if done.cycles_created.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = done.cycles_created.iter().map(|c| c.as_str()).collect();
                format!(" (cycles created: {})", names.join(", "))
            };
            println!(
                "Imported {} {what} from {source} into {:?}{created}.",
                done.rows, org.name
            );
        }
        ImportCommand::People(_) => {
            let read = transfer::people::read(counted, &source);
            let (rows, problems) = read.inspect_err(|_| progress.finish())?;
            progress.finish();
            let n = rows.len();
            let done = transfer::people::import(&store, org.id, rows, problems, &actor).await?;
            println!(
                "Imported {n} {what} from {source} into {:?}: {} created, {} updated, {} teams \
                 created.",
                org.name, done.created, done.updated, done.teams_created
            );
        }
        ImportCommand::Outcomes(_) => {
            let read = transfer::outcomes::read(counted, &source);
            let (rows, problems) = read.inspect_err(|_| progress.finish())?;
            progress.finish();
            let n = rows.len();
            let done = transfer::outcomes::import(&store, org.id, rows, problems, &actor).await?;
            println!(
                "Imported {n} {what} from {source} into {:?}: {} created, {} updated, {} metrics \
                 created.",
                org.name, done.created, done.updated, done.metrics_created
            );
        }
    }
    Ok(())
}

/// Where an export goes: `--out FILE` (created) or standard output, shown as `dest`.
fn output(out: Option<&Path>) -> anyhow::Result<(Box<dyn std::io::Write + Send>, String)> {
    match out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("--out: cannot create {}", path.display()))?;
            Ok((
                Box::new(std::io::BufWriter::with_capacity(1 << 20, file)),
                path.display().to_string(),
            ))
        }
        None => Ok((
            Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )),
            "<stdout>".to_owned(),
        )),
    }
}

async fn export_people(db: &Path, args: ExportPeopleArgs) -> anyhow::Result<()> {
    let store = open_store(db).await?;
    let org = org_named(&store, &args.org).await?;
    let (writer, dest) = output(args.out.as_deref())?;
    let rows = crate::transfer::people::export(&store, org.id, writer, &dest).await?;
    if let Some(path) = &args.out {
        eprintln!("Exported {rows} people to {}.", path.display());
    }
    Ok(())
}

async fn export_outcomes(db: &Path, args: ExportOutcomesArgs) -> anyhow::Result<()> {
    let store = open_store(db).await?;
    let org = org_named(&store, &args.org).await?;
    let metric = match &args.metric {
        None => None,
        Some(key) => {
            let key = key.trim();
            let metrics = store.metrics(org.id).await?;
            if !metrics.iter().any(|m| m.key == key) {
                let known: Vec<&str> = metrics.iter().map(|m| m.key.as_str()).collect();
                bail!(
                    "--metric: {:?} has no metric {key:?} (its metrics: {})",
                    org.name,
                    known.join(", ")
                );
            }
            Some(key.to_owned())
        }
    };
    let (writer, dest) = output(args.out.as_deref())?;
    let rows =
        crate::transfer::outcomes::export(&store, org.id, metric.as_deref(), writer, &dest).await?;
    if let Some(path) = &args.out {
        eprintln!("Exported {rows} outcomes to {}.", path.display());
    }
    Ok(())
}

async fn export_ratings(db: &Path, args: ExportArgs) -> anyhow::Result<()> {
    let store = open_store(db).await?;
    let org = org_named(&store, &args.org).await?;
    let cycle_id = match &args.cycle {
        None => None,
        Some(name) => Some(
            store
                .cycle_by_name(org.id, name)
                .await?
                .with_context(|| format!("--cycle: {:?} has no cycle named {name:?}", org.name))?
                .id,
        ),
    };
    let rows = match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("--out: cannot create {}", path.display()))?;
            let dest = path.display().to_string();
            let writer = std::io::BufWriter::with_capacity(1 << 20, file);
            crate::transfer::ratings::export(&store, org.id, cycle_id, writer, &dest).await?
        }
        None => {
            let writer = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            crate::transfer::ratings::export(&store, org.id, cycle_id, writer, "<stdout>").await?
        }
    };
    if let Some(path) = &args.out {
        eprintln!("Exported {rows} ratings to {}.", path.display());
    }
    Ok(())
}

/// Opens (creating if needed) the database and runs migrations.
pub async fn open_store(path: &Path) -> anyhow::Result<SqliteStore> {
    SqliteStore::open(path).await.map_err(anyhow::Error::from)
}

async fn org_named(store: &dyn Store, name: &str) -> anyhow::Result<sellerq_store::Org> {
    store
        .organisation_by_name(name.trim())
        .await?
        .with_context(|| {
            format!(
                "--org: there is no organisation named {name:?} (create it with `sellerq init`)"
            )
        })
}

fn parse_email(raw: &str, flag: &str) -> anyhow::Result<Email> {
    Email::parse(raw).map_err(|m| anyhow::anyhow!("{flag}: {raw:?} {m}"))
}

async fn init(db: &Path, args: InitArgs) -> anyhow::Result<()> {
    let name = OrgName::parse(&args.org).map_err(|m| anyhow::anyhow!("--org: {m}"))?;
    let email = parse_email(&args.admin_email, "--admin-email")?;
    let store = open_store(db).await?;
    if store.organisation_by_name(name.as_str()).await?.is_some() {
        bail!(
            "--org: an organisation named {:?} already exists",
            name.as_str()
        );
    }
    let actor = Actor::system("cli");
    let display = args.admin_name.unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or("admin")
            .to_owned()
    });
    let (user, password) = ensure_user(&store, &email, &display).await?;
    let org = store.create_organisation(&name, &actor).await?;
    store
        .set_membership(org.id, user.id, Role::Admin, &[], &actor)
        .await?;
    println!(
        "Created organisation {:?} with the default Seller Qualities Model.",
        org.name
    );
    match password {
        Some(pw) => println!(
            "Admin: {}\nPassword (shown once): {pw}\nSign in and change it under Account → Change password.",
            user.email
        ),
        None => println!("Admin: {} (existing user; password unchanged)", user.email),
    }
    Ok(())
}

/// Finds or creates a user; a new user's generated password is returned.
async fn ensure_user(
    store: &dyn Store,
    email: &Email,
    name: &str,
) -> anyhow::Result<(sellerq_store::User, Option<String>)> {
    if let Some((user, _)) = store.user_by_email(email).await? {
        return Ok((user, None));
    }
    let name = sellerq_domain::ids::check_name(name).map_err(|m| anyhow::anyhow!("--name: {m}"))?;
    let password = security::generate_password();
    let user = store
        .create_user(email, &name, &security::hash_password(&password)?)
        .await?;
    Ok((user, Some(password)))
}

async fn user_add(db: &Path, args: UserAddArgs) -> anyhow::Result<()> {
    let role: Role = args
        .role
        .parse()
        .map_err(|m| anyhow::anyhow!("--role: {m}"))?;
    let email = parse_email(&args.email, "--email")?;
    sellerq_domain::ids::check_name(&args.name).map_err(|m| anyhow::anyhow!("--name: {m}"))?;
    let store = open_store(db).await?;
    let org = org_named(&store, &args.org).await?;
    let mut team_ids = Vec::new();
    for t in &args.teams {
        let team = store
            .team_by_name(org.id, t.trim())
            .await?
            .with_context(|| format!("--team: {:?} has no team named {t:?}", org.name))?;
        team_ids.push(team.id);
    }
    if !team_ids.is_empty() && !matches!(role, Role::Manager | Role::Coach) {
        bail!("--team: only managers and coaches are assigned teams (this user is {role})");
    }
    let (user, password) = ensure_user(&store, &email, &args.name).await?;
    store
        .set_membership(org.id, user.id, role, &team_ids, &Actor::system("cli"))
        .await?;
    println!("{} is now {} in {:?}.", user.email, role.as_str(), org.name);
    if let Some(pw) = password {
        println!("Password (shown once): {pw}");
    }
    Ok(())
}

async fn token_create(db: &Path, args: TokenCreateArgs) -> anyhow::Result<()> {
    let email = parse_email(&args.email, "--email")?;
    let store = open_store(db).await?;
    let org = org_named(&store, &args.org).await?;
    let (user, _) = store
        .user_by_email(&email)
        .await?
        .with_context(|| format!("--email: there is no user {email}"))?;
    store
        .membership(user.id, org.id)
        .await?
        .with_context(|| format!("--email: {email} is not a member of {:?}", org.name))?;
    let token = security::new_token();
    store
        .create_api_token(
            org.id,
            user.id,
            &security::token_hash(&token),
            args.label.trim(),
            &Actor::system("cli"),
        )
        .await?;
    println!("{token}");
    eprintln!("Use it as `Authorization: Bearer <token>`. It is shown only now.");
    Ok(())
}

fn read_model(path: &Path) -> anyhow::Result<Model> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Model::parse(&text).map_err(|errs| {
        let lines: Vec<String> = errs
            .0
            .iter()
            .map(|e| format!("{}: {e}", path.display()))
            .collect();
        anyhow::anyhow!(
            "{} is not a valid model:\n{}",
            path.display(),
            lines.join("\n")
        )
    })
}

async fn model_command(db: &Path, cmd: ModelCommand) -> anyhow::Result<()> {
    match cmd {
        ModelCommand::Show { format, file, org } => {
            let model: Arc<Model> = match (file, org) {
                (Some(f), _) => Arc::new(read_model(&f)?),
                (None, Some(org)) => {
                    let store = open_store(db).await?;
                    let org = org_named(&store, &org).await?;
                    let v = store.current_model_version(org.id).await?;
                    Arc::new(Model::parse(&v.toml).map_err(|e| anyhow::anyhow!("{e}"))?)
                }
                (None, None) => Arc::new(model::default_model().clone()),
            };
            match format {
                ShowFormat::Text => print!("{}", model.render_text()),
                ShowFormat::Json => println!("{}", serde_json::to_string_pretty(&model.to_json())?),
            }
            Ok(())
        }
        ModelCommand::Validate { file } => {
            let m = read_model(&file)?;
            println!(
                "{}: valid — model version {:?}, {} qualities, scale {}–{}",
                file.display(),
                m.version,
                m.qualities.len(),
                m.scale.min,
                m.scale.max
            );
            Ok(())
        }
        ModelCommand::Diff { old, new } => {
            let (a, b) = (read_model(&old)?, read_model(&new)?);
            let d = model::diff(&a, &b);
            if d.is_empty() {
                println!("No differences.");
            } else {
                print!("{d}");
            }
            Ok(())
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SELLERQ_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colour only for a terminal, and never when NO_COLOR is set (no-color.org).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn serve(db: &Path, args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_format);
    let store: Arc<dyn Store> = Arc::new(open_store(db).await?);
    let mut config = Config::new(db.to_path_buf());
    config.bind = args.bind;
    config.https_cookies = args.https_cookies;
    let demo = if args.demo {
        Some(crate::demo::ensure_demo(store.as_ref()).await?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("--bind: cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    println!("sellerq is running at {url}  (database: {})", db.display());
    if let Some(demo) = demo {
        println!("\nDemo organisation: {}", demo.org_name);
        println!("Every demo login uses the password: {}\n", demo.password);
        for l in &demo.logins {
            println!(
                "  {:<12} {:<42} {}{}",
                l.role.as_str(),
                l.email,
                l.name,
                if l.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", l.note)
                }
            );
        }
        println!("\nOpen {url}/login and sign in with any of them.");
    }
    tracing::info!(%addr, db = %db.display(), "listening");
    let state = crate::web::AppState::new(store, config);
    if !args.no_precompute {
        crate::evidence::warm::spawn(state.clone());
    }
    crate::web::serve(state, listener).await
}
