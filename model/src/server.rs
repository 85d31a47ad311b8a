//! An OpenAI-compatible inference server (vLLM, SGLang, llama.cpp, a hosted API):
//! chat completions over HTTP, one blocking request a call, so that callers choose
//! their threads. Every way a server can fail is an error that says what it did, and
//! whether asking again may help.

use std::time::Duration;

use annotate::{Alternative, RunToken};
use serde_json::{Value, json};

/// A server's address and key.
#[derive(Clone, Debug)]
pub struct Server {
    /// Up to and including `/v1`, without the trailing slash.
    base: String,
    api_key: Option<String>,
    agent: ureq::Agent,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ServerError {
    #[error("{0:?} is not an http:// or https:// address")]
    Address(String),
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
        /// The seconds its `Retry-After` asked to wait.
        retry_after: Option<u64>,
    },
    #[error("{url} answered what is not a chat completion: {reason}")]
    Reply { url: String, reason: String },
}

/// A chat completion as it came back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    pub text: String,
    /// The answer's tokens with their log-probabilities, when the server gave them.
    pub tokens: Vec<RunToken>,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
}

impl ServerError {
    /// Whether the same request may go through later (a busy or failing server, a
    /// connection that broke, a reply cut short), and how long the server asked to
    /// wait; a refusal of the request itself (any other 4xx) will not.
    pub fn retry(&self) -> Option<Option<Duration>> {
        match self {
            ServerError::Address(_) => None,
            ServerError::Status { status, retry_after, .. } if *status == 429 || *status >= 500 => {
                Some(retry_after.map(Duration::from_secs))
            }
            ServerError::Status { .. } => None,
            ServerError::Unreachable { .. } | ServerError::Reply { .. } => Some(None),
        }
    }
}

/// One chat message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message<'a> {
    pub role: &'a str,
    pub content: &'a str,
}

impl Server {
    /// A server at `address` (`http://host:8000` or `http://host:8000/v1`), waiting at
    /// most `timeout` for each reply.
    pub fn new(address: &str, api_key: Option<String>, timeout: Duration) -> Result<Self, ServerError> {
        let trimmed = address.trim().trim_end_matches('/');
        if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
            return Err(ServerError::Address(address.to_owned()));
        }
        let base = if trimmed.ends_with("/v1") { trimmed.to_owned() } else { format!("{trimmed}/v1") };
        let agent =
            ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(10)).timeout(timeout).build();
        Ok(Server { base, api_key, agent })
    }

    /// The address requests go to, up to `/v1`.
    pub fn address(&self) -> &str {
        &self.base
    }

    /// The reply's text to `messages`, greedy, at most `max_tokens` long.
    pub fn chat(&self, model: &str, messages: &[Message], max_tokens: u32) -> Result<String, ServerError> {
        let body = json!({
            "model": model,
            "messages": messages.iter().map(|m| json!({"role": m.role, "content": m.content})).collect::<Vec<_>>(),
            "max_tokens": max_tokens,
            "temperature": 0.0,
        });
        self.complete(&body).map(|r| r.text)
    }

    /// POST `body` (a whole chat completion request) once and read the reply.
    pub fn complete(&self, body: &Value) -> Result<Reply, ServerError> {
        let url = format!("{}/chat/completions", self.base);
        let mut request = self.agent.post(&url).set("Content-Type", "application/json");
        if let Some(key) = &self.api_key {
            request = request.set("Authorization", &format!("Bearer {key}"));
        }
        let response = match request.send_string(&body.to_string()) {
            Ok(r) => r,
            Err(ureq::Error::Status(status, r)) => {
                let retry_after = r.header("Retry-After").and_then(|v| v.trim().parse().ok());
                let text = r.into_string().unwrap_or_default();
                let body: String = text.trim().chars().take(300).collect();
                return Err(ServerError::Status { url, status, body, retry_after });
            }
            Err(ureq::Error::Transport(t)) => {
                // ureq's words start with the address, which the error gives already.
                let words = t.to_string();
                let reason = words.strip_prefix(&format!("{url}: ")).unwrap_or(&words).to_owned();
                return Err(ServerError::Unreachable { url, reason });
            }
        };
        let reply = |reason: String| ServerError::Reply { url: url.clone(), reason };
        let text = response.into_string().map_err(|e| reply(format!("the body did not read: {e}")))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| reply(format!("not JSON ({e})")))?;
        let choice = &value["choices"][0];
        let content = match &choice["message"]["content"] {
            Value::String(s) => s.clone(),
            Value::Null if value.get("choices").is_none() => {
                let error = value.get("error").map(Value::to_string).unwrap_or_else(|| short(&text));
                return Err(reply(format!("no choices: {error}")));
            }
            other => {
                return Err(reply(format!(
                    "the first choice's message content is {}",
                    short(&other.to_string())
                )));
            }
        };
        let count = |key: &str| value["usage"][key].as_u64();
        Ok(Reply {
            text: content,
            tokens: logprobs(&choice["logprobs"]),
            prompt_tokens: count("prompt_tokens"),
            completion_tokens: count("completion_tokens"),
        })
    }
}

/// `choices[0].logprobs` in the chat completions shape: `content[]` with `token`,
/// `logprob` and `top_logprobs[]` (a token the server could not score, as -inf, is left out of
/// the alternatives).
fn logprobs(value: &Value) -> Vec<RunToken> {
    let Some(content) = value["content"].as_array() else { return Vec::new() };
    let number = |v: &Value| v["logprob"].as_f64().map(|l| l as f32);
    content
        .iter()
        .filter_map(|t| {
            let top = t["top_logprobs"].as_array().map_or_else(Vec::new, |top| {
                top.iter()
                    .filter_map(|a| {
                        Some(Alternative { text: a["token"].as_str()?.to_owned(), logprob: number(a)? })
                    })
                    .collect()
            });
            Some(RunToken { text: t["token"].as_str()?.to_owned(), logprob: number(t)?, top })
        })
        .collect()
}

fn short(text: &str) -> String {
    let s: String = text.chars().take(200).collect();
    if s.len() < text.len() { format!("{s}…") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_the_api_root_once() {
        let base = |a: &str| Server::new(a, None, Duration::from_secs(1)).map(|s| s.base);
        assert_eq!(base("http://localhost:8000").unwrap(), "http://localhost:8000/v1");
        assert_eq!(base("http://localhost:8000/v1/").unwrap(), "http://localhost:8000/v1");
        assert_eq!(base("localhost:8000"), Err(ServerError::Address("localhost:8000".into())));
    }
}
