//! Which model the chat talks to: provider, base URL, model id, key, limits.
//!
//! Control side, pure: resolved once from the config file's `chat` section,
//! command-line flags and the environment (passed in as a function, so tests
//! never touch the process environment). Secrets come only from the
//! environment and are never printed: [`ApiKey`]'s `Debug` hides the key.
//! This module does no I/O.

use std::time::Duration;

use serde::Deserialize;

/// The Claude model used when none is configured.
pub const DEFAULT_CLAUDE_MODEL: &str = "claude-sonnet-4-6";
/// The model asked of an OpenAI-compatible server when none is configured.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_ANTHROPIC_URL: &str = "https://api.anthropic.com";
pub const DEFAULT_OPENAI_URL: &str = "https://api.openai.com/v1";

/// The two wire protocols.
/// The most tokens a reply may be asked for.
pub const MAX_TOKENS: u32 = 64_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The native Anthropic Messages API.
    Anthropic,
    /// Any OpenAI-compatible chat-completions endpoint.
    #[serde(alias = "openai-compatible")]
    OpenAi,
}

impl ProviderKind {
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
        }
    }

    /// The environment variable that holds this provider's key.
    pub fn key_var(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "ANTHROPIC_API_KEY",
            ProviderKind::OpenAi => "OPENAI_API_KEY",
        }
    }

    pub fn url_var(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "ANTHROPIC_BASE_URL",
            ProviderKind::OpenAi => "OPENAI_BASE_URL",
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown chat provider \"{0}\": use anthropic or openai")]
    UnknownProvider(String),
}

impl std::str::FromStr for ProviderKind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s.to_ascii_lowercase().as_str() {
            "anthropic" | "claude" => Ok(ProviderKind::Anthropic),
            "openai" | "openai-compatible" | "ollama" | "llama.cpp" | "llamacpp" => {
                Ok(ProviderKind::OpenAi)
            }
            _ => Err(ConfigError::UnknownProvider(s.to_string())),
        }
    }
}

/// An API key. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<hidden>)")
    }
}

/// The `chat` section of `config.ron`, every field optional, e.g.
/// `chat: (provider: "openai", base_url: "http://127.0.0.1:11434/v1", model: "qwen2.5")`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatSettings {
    pub provider: Option<String>,
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// Most model round trips (tool steps) per prompt.
    pub max_steps: Option<usize>,
    /// Seconds to wait for the server (connect, headers, or the next chunk).
    pub timeout: Option<f64>,
    pub max_tokens: Option<u32>,
}

/// Everything a request needs, resolved.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    pub provider: ProviderKind,
    pub base_url: String,
    pub model: String,
    /// None: no key found (the OpenAI-compatible provider may not need one).
    pub key: Option<ApiKey>,
    pub max_steps: usize,
    pub max_tokens: u32,
    /// Connect, response headers, and the gap between two streamed chunks.
    pub timeout: Duration,
    /// Retries after 429 or 5xx.
    pub max_retries: u32,
    /// First back-off when the server gives no retry-after; doubles each time.
    pub backoff: Duration,
    /// Longest retry-after honoured.
    pub max_retry_wait: Duration,
}

impl ChatConfig {
    /// A configuration for `provider` at `base_url`, with defaults elsewhere.
    pub fn new(provider: ProviderKind, base_url: &str, key: Option<ApiKey>) -> Self {
        Self {
            provider,
            base_url: base_url.trim_end_matches('/').to_string(),
            model: match provider {
                ProviderKind::Anthropic => DEFAULT_CLAUDE_MODEL,
                ProviderKind::OpenAi => DEFAULT_OPENAI_MODEL,
            }
            .to_string(),
            key,
            max_steps: 8,
            max_tokens: 4096,
            timeout: Duration::from_secs(60),
            max_retries: 3,
            backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
        }
    }

    /// Resolve from the config file, flags (`flag_*`, override the file) and
    /// the environment (`env`: the process's in the program, a map in tests).
    ///
    /// Which provider: the flag or config file if set; else Anthropic when
    /// `ANTHROPIC_API_KEY` is set, else OpenAI-compatible when
    /// `OPENAI_BASE_URL` or `OPENAI_API_KEY` is set, else Anthropic (which
    /// then explains how to set a key).
    pub fn resolve(
        settings: &ChatSettings,
        flag_provider: Option<&str>,
        flag_base_url: Option<&str>,
        flag_model: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ChatConfig, ConfigError> {
        let env = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let provider = match flag_provider.or(settings.provider.as_deref()) {
            Some(p) => p.parse()?,
            None if env("ANTHROPIC_API_KEY").is_some() => ProviderKind::Anthropic,
            None if env("OPENAI_BASE_URL").is_some() || env("OPENAI_API_KEY").is_some() => {
                ProviderKind::OpenAi
            }
            None => ProviderKind::Anthropic,
        };
        let default_url = match provider {
            ProviderKind::Anthropic => DEFAULT_ANTHROPIC_URL,
            ProviderKind::OpenAi => DEFAULT_OPENAI_URL,
        };
        let url = flag_base_url
            .map(str::to_string)
            .or_else(|| settings.base_url.clone())
            .or_else(|| env(provider.url_var()))
            .unwrap_or_else(|| default_url.to_string());
        let key = env(provider.key_var()).map(ApiKey::new);
        let mut c = ChatConfig::new(provider, &url, key);
        if let Some(m) = flag_model.map(str::to_string).or(settings.model.clone()) {
            c.model = m;
        }
        if let Some(s) = settings.max_steps {
            c.max_steps = s.clamp(1, 64);
        }
        // NaN passes a clamp, and Duration panics on it: a timeout that is
        // not a finite number keeps the default.
        if let Some(t) = settings.timeout.filter(|t| t.is_finite()) {
            c.timeout = Duration::from_secs_f64(t.clamp(0.1, 3600.0));
        }
        if let Some(t) = settings.max_tokens {
            c.max_tokens = t.clamp(16, MAX_TOKENS);
        }
        Ok(c)
    }

    /// Whether a request can be made: Anthropic needs a key.
    pub fn missing_key(&self) -> Option<String> {
        if self.key.is_some() || self.provider == ProviderKind::OpenAi {
            return None;
        }
        Some(format!(
            "no API key: export {}=... and restart, or set OPENAI_BASE_URL to use a local \
             model (Ollama, llama.cpp); see docs/chat.md. The rest of termdaw works without the chat.",
            self.provider.key_var(),
        ))
    }

    /// One line for the pane's title: `claude-sonnet-4-6 via anthropic`.
    pub fn short(&self) -> String {
        format!("{} via {}", self.model, self.provider.name())
    }

    /// The model, provider and URL.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.short(), self.base_url)
    }
}
