//! Resident sign-in and the SMS gateway that texts its codes and the notices: which
//! gateway, where, and with what keys. The keys and the token come from the environment
//! only. `serve` refuses to start with resident sign-in on and no gateway
//! ([`Config::check_serve_sms`]); `demo` keeps its texts in the development inbox instead.

use anyhow::{Context, bail};
use tongxin_app::sms::aliyun::{AliyunConfig, ENDPOINT, parse_templates};
use tongxin_app::sms::http::{BodyFormat, HttpConfig};
use tongxin_app::sms::{LOGIN_CODE, Secret, SmsConfig};

use super::Config;
use crate::cli::SmsArgs;

/// Each setting from its flag (or variable), else from the file.
pub(super) fn merge(flags: Option<&SmsArgs>, file: SmsArgs) -> SmsArgs {
    let flags = flags.cloned().unwrap_or_default();
    SmsArgs {
        resident_login: flags.resident_login.or(file.resident_login),
        sms_gateway: flags.sms_gateway.or(file.sms_gateway),
        sms_url: flags.sms_url.or(file.sms_url),
        sms_format: flags.sms_format.or(file.sms_format),
        sms_token_header: flags.sms_token_header.or(file.sms_token_header),
        sms_sign_name: flags.sms_sign_name.or(file.sms_sign_name),
        sms_templates: flags.sms_templates.or(file.sms_templates),
    }
}

/// Whether residents may sign in, and the gateway; `env` reads the secrets' variables.
pub(super) fn load(args: SmsArgs, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<(bool, SmsConfig)> {
    let resident_login = args.resident_login.unwrap_or(true);
    let secret = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let required = |name: &str, gateway: &str| {
        secret(name).with_context(|| format!("TONGXIN_SMS_GATEWAY is {gateway}: set {name} too"))
    };
    let sms = match args.sms_gateway.as_deref().map(str::trim).unwrap_or("none") {
        "none" | "" => {
            let stray = [("TONGXIN_SMS_URL", &args.sms_url), ("TONGXIN_SMS_TEMPLATES", &args.sms_templates)];
            if let Some((name, _)) = stray.iter().find(|(_, v)| v.is_some()) {
                bail!("{name} is set but TONGXIN_SMS_GATEWAY is not: set it to http or aliyun");
            }
            SmsConfig::None
        }
        "http" => {
            let url = args.sms_url.context("TONGXIN_SMS_GATEWAY is http: set TONGXIN_SMS_URL to the gateway's URL")?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("TONGXIN_SMS_URL must be an http:// or https:// URL");
            }
            let format = match args.sms_format.as_deref() {
                Some(text) => text.parse::<BodyFormat>().map_err(anyhow::Error::msg).context("TONGXIN_SMS_FORMAT")?,
                None => BodyFormat::Json,
            };
            let token = secret("TONGXIN_SMS_TOKEN").map(Secret::new);
            if args.sms_token_header.is_some() && token.is_none() {
                bail!("TONGXIN_SMS_TOKEN_HEADER is set: set TONGXIN_SMS_TOKEN to the token it carries");
            }
            SmsConfig::Http(HttpConfig { url, format, token, token_header: args.sms_token_header })
        }
        "aliyun" => {
            let templates = parse_templates(args.sms_templates.as_deref().unwrap_or_default())
                .map_err(anyhow::Error::msg)
                .context("TONGXIN_SMS_TEMPLATES")?;
            if resident_login && !templates.contains_key(LOGIN_CODE) {
                bail!(
                    "resident sign-in is on: TONGXIN_SMS_TEMPLATES needs the approved template of the sign-in \
                     code, as login_code=SMS_…"
                );
            }
            let endpoint = args.sms_url.unwrap_or_else(|| ENDPOINT.into());
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                bail!("TONGXIN_SMS_URL must be an http:// or https:// URL");
            }
            SmsConfig::Aliyun(AliyunConfig {
                access_key_id: required("TONGXIN_SMS_ACCESS_KEY_ID", "aliyun")?,
                access_key_secret: Secret::new(required("TONGXIN_SMS_ACCESS_KEY_SECRET", "aliyun")?),
                sign_name: args.sms_sign_name.filter(|s| !s.trim().is_empty()).context(
                    "TONGXIN_SMS_GATEWAY is aliyun: set TONGXIN_SMS_SIGN_NAME to the approved signature (签名)",
                )?,
                templates,
                endpoint,
            })
        }
        other => bail!("TONGXIN_SMS_GATEWAY must be http, aliyun or none, not '{other}'"),
    };
    Ok((resident_login, sms))
}

impl Config {
    /// `serve` sends sign-in codes through a real gateway or not at all: a code in a log
    /// or a development inbox would let whoever reads it sign in as any resident.
    pub fn check_serve_sms(&self) -> anyhow::Result<()> {
        if self.resident_login && !self.sms.is_gateway() {
            bail!(
                "resident sign-in is on but no SMS gateway is configured to send its codes: set TONGXIN_SMS_GATEWAY \
                 (http or aliyun, see docs/configuration.md#sms), or set TONGXIN_RESIDENT_LOGIN=false"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TONGXIN_SMS_ACCESS_KEY_ID" => Some("LTAI5tTest".into()),
            "TONGXIN_SMS_ACCESS_KEY_SECRET" => Some("s3cret-value".into()),
            "TONGXIN_SMS_TOKEN" => Some("tok".into()),
            _ => None,
        }
    }

    fn args(gateway: &str) -> SmsArgs {
        SmsArgs { sms_gateway: Some(gateway.into()), ..SmsArgs::default() }
    }

    #[test]
    fn resident_sign_in_is_on_and_there_is_no_gateway_by_default() {
        let (on, sms) = load(SmsArgs::default(), env).unwrap();
        assert!(on);
        assert!(matches!(sms, SmsConfig::None));
    }

    #[test]
    fn the_http_gateway_needs_a_url() {
        let err = load(args("http"), env).unwrap_err().to_string();
        assert!(err.contains("set TONGXIN_SMS_URL"), "{err}");
        let a = SmsArgs {
            sms_url: Some("https://sms.example/send".into()),
            sms_format: Some("form".into()),
            ..args("http")
        };
        let SmsConfig::Http(http) = load(a, env).unwrap().1 else { panic!("http") };
        assert_eq!((http.url.as_str(), http.format), ("https://sms.example/send", BodyFormat::Form));
        assert_eq!(http.token.as_ref().map(Secret::expose), Some("tok"));
        let a = SmsArgs { sms_url: Some("ftp://x".into()), ..args("http") };
        assert!(load(a, env).unwrap_err().to_string().contains("http:// or https://"));
    }

    #[test]
    fn aliyun_needs_keys_a_signature_and_the_code_template() {
        let full = SmsArgs {
            sms_sign_name: Some("同心街道".into()),
            sms_templates: Some("login_code=SMS_1,received=SMS_2".into()),
            ..args("aliyun")
        };
        let SmsConfig::Aliyun(a) = load(full.clone(), env).unwrap().1 else { panic!("aliyun") };
        assert_eq!((a.endpoint.as_str(), a.templates.len()), (ENDPOINT, 2));
        assert!(!format!("{a:?}").contains("s3cret-value"), "the secret never prints");

        let no_keys = load(full.clone(), |_| None).unwrap_err().to_string();
        assert!(no_keys.contains("TONGXIN_SMS_ACCESS_KEY_ID"), "{no_keys}");
        let unsigned = SmsArgs { sms_sign_name: None, ..full.clone() };
        assert!(load(unsigned, env).unwrap_err().to_string().contains("TONGXIN_SMS_SIGN_NAME"));
        let no_code = SmsArgs { sms_templates: Some("received=SMS_2".into()), ..full.clone() };
        assert!(load(no_code.clone(), env).unwrap_err().to_string().contains("login_code=SMS_"));
        let off = SmsArgs { resident_login: Some(false), ..no_code };
        assert!(load(off, env).is_ok(), "without resident sign-in, no code template is needed");
        let wrong = SmsArgs { sms_templates: Some("login=SMS_1".into()), ..full };
        assert!(format!("{:#}", load(wrong, env).unwrap_err()).contains("not a kind of message"));
    }

    #[test]
    fn the_file_sets_them_too_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tongxin.toml");
        let text = "resident_login = false\nsms_gateway = \"http\"\nsms_url = \"https://sms.example/a\"\n";
        std::fs::write(&path, text).unwrap();
        let global = crate::cli::GlobalArgs { config: Some(path), ..Default::default() };
        let config = Config::load(&global, None).unwrap();
        assert!(!config.resident_login);
        assert!(matches!(&config.sms, SmsConfig::Http(h) if h.url == "https://sms.example/a"));
        config.check_serve_sms().unwrap();
        let flags =
            SmsArgs { resident_login: Some(true), sms_url: Some("https://sms.example/b".into()), ..args("http") };
        let serve = crate::cli::ServeArgs { sms: flags, ..Default::default() };
        let config = Config::load(&global, Some(&serve)).unwrap();
        assert!(config.resident_login);
        assert!(matches!(&config.sms, SmsConfig::Http(h) if h.url == "https://sms.example/b"));
    }

    #[test]
    fn serve_refuses_resident_sign_in_without_a_gateway() {
        let global = crate::cli::GlobalArgs::default();
        let serve = crate::cli::ServeArgs {
            sms: SmsArgs { sms_gateway: Some("none".into()), ..SmsArgs::default() },
            ..Default::default()
        };
        let err = Config::load(&global, Some(&serve)).unwrap().check_serve_sms().unwrap_err().to_string();
        assert!(err.contains("TONGXIN_SMS_GATEWAY") && err.contains("TONGXIN_RESIDENT_LOGIN=false"), "{err}");
    }

    #[test]
    fn every_setting_is_documented() {
        let docs = include_str!("../../../../docs/configuration.md");
        for name in [
            "TONGXIN_RESIDENT_LOGIN",
            "TONGXIN_SMS_GATEWAY",
            "TONGXIN_SMS_URL",
            "TONGXIN_SMS_FORMAT",
            "TONGXIN_SMS_TOKEN`",
            "TONGXIN_SMS_TOKEN_HEADER",
            "TONGXIN_SMS_ACCESS_KEY_ID",
            "TONGXIN_SMS_ACCESS_KEY_SECRET",
            "TONGXIN_SMS_SIGN_NAME",
            "TONGXIN_SMS_TEMPLATES",
            "`resident_login`",
            "`sms_templates`",
        ] {
            assert!(docs.contains(name), "docs/configuration.md does not document {name}");
        }
        for (kind, _) in tongxin_app::sms::KINDS {
            assert!(docs.contains(kind), "docs/configuration.md does not name the kind {kind}");
        }
    }

    #[test]
    fn stray_or_unknown_settings_are_errors() {
        let stray = SmsArgs { sms_url: Some("https://x".into()), ..SmsArgs::default() };
        assert!(load(stray, env).unwrap_err().to_string().contains("TONGXIN_SMS_GATEWAY is not"));
        assert!(load(args("tencent"), env).unwrap_err().to_string().contains("http, aliyun or none"));
    }
}
