//! The flags of resident sign-in and of the SMS gateway, shared by `serve` and `demo`.
//! The gateway's keys and token are read from the environment only (see
//! docs/configuration.md#sms), so they never show in `ps`.

use clap::Args;

#[derive(Debug, Args, Default, Clone)]
pub struct SmsArgs {
    /// Residents may sign in with a code texted to their phone; `serve` then needs an SMS
    /// gateway [default: true]
    #[arg(long, env = "TONGXIN_RESIDENT_LOGIN", value_name = "BOOL")]
    pub resident_login: Option<bool>,
    /// The SMS gateway: http (a POST to --sms-url), aliyun (阿里云短信) or none
    #[arg(long, env = "TONGXIN_SMS_GATEWAY", value_name = "GATEWAY")]
    pub sms_gateway: Option<String>,
    /// http: the URL each message is posted to; aliyun: another endpoint than Alibaba Cloud's
    #[arg(long, env = "TONGXIN_SMS_URL", value_name = "URL")]
    pub sms_url: Option<String>,
    /// http: post JSON or a form [default: json]
    #[arg(long, env = "TONGXIN_SMS_FORMAT", value_name = "FORMAT")]
    pub sms_format: Option<String>,
    /// http: send TONGXIN_SMS_TOKEN in this header as it is, not as `Authorization: Bearer`
    #[arg(long, env = "TONGXIN_SMS_TOKEN_HEADER", value_name = "HEADER")]
    pub sms_token_header: Option<String>,
    /// aliyun: the approved signature (签名), without brackets
    #[arg(long, env = "TONGXIN_SMS_SIGN_NAME", value_name = "NAME")]
    pub sms_sign_name: Option<String>,
    /// aliyun: the approved template of each kind of message: login_code=SMS_1,received=SMS_2,…
    #[arg(long, env = "TONGXIN_SMS_TEMPLATES", value_name = "KIND=CODE,…")]
    pub sms_templates: Option<String>,
}
