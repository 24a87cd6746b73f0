//! The store's one error type.

/// What can go wrong in the store, in terms the web layer maps to statuses.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist (in this organisation).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule: `field` already holds this value. (HTTP 409)
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// A reference or rule the input breaks, naming the field. (HTTP 422)
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The row may no longer change (a model version in use by ratings).
    #[error("{0}")]
    Immutable(String),
    /// A bulk import found bad rows: every one, with its line, column and reason (the report
    /// has no file name; the caller sets it). Nothing was written. (HTTP 422)
    #[error("{0}")]
    Rejected(sellerq_domain::formats::RowProblems),
    /// An export's destination refused a row (a full disk, a closed pipe); the message is the
    /// destination's own.
    #[error("{0}")]
    Sink(String),
    /// The database path cannot be opened or created.
    #[error("cannot open the database at {path}: {message}")]
    Open { path: String, message: String },
    /// Anything else from the database (logged, shown as a 500).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// A [`StoreError::Conflict`] on `field`.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A [`StoreError::Invalid`] on `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;
