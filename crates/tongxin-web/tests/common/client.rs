//! An HTTP client that keeps a session cookie and sends the CSRF token, like a browser page
//! or a script using the JSON API would.

use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::Value;

use super::TestApp;

pub struct Client<'a> {
    app: &'a TestApp,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    /// The language cookie a browser would send.
    pub lang: Option<&'static str>,
}

impl<'a> Client<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None, csrf: None, bearer: None, lang: None }
    }

    pub fn with_key(app: &'a TestApp, secret: &str) -> Self {
        Self { app, cookie: None, csrf: None, bearer: Some(secret.to_owned()), lang: None }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.app.http.request(method.clone(), self.app.url(path));
        if let Some(cookies) = self.cookies() {
            r = r.header("cookie", cookies);
        }
        if let Some(bearer) = &self.bearer {
            r = r.bearer_auth(bearer);
        }
        if method != reqwest::Method::GET
            && let Some(csrf) = &self.csrf
        {
            r = r.header("x-csrf-token", csrf);
        }
        r
    }

    fn cookies(&self) -> Option<String> {
        let session = self.cookie.as_ref().map(|c| format!("tongxin_session={c}"));
        let lang = self.lang.map(|l| format!("tongxin_lang={l}"));
        let all: Vec<String> = session.into_iter().chain(lang).collect();
        (!all.is_empty()).then(|| all.join("; "))
    }

    fn remember(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or("");
            if let Some(rest) = text.strip_prefix("tongxin_session=") {
                let token = rest.split(';').next().unwrap_or("");
                self.cookie = (!token.is_empty()).then(|| token.to_owned());
            }
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path).send().await.expect("request")
    }

    pub async fn json(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn post_json(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    pub async fn put_json(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PUT, path, body).await
    }

    pub async fn patch_json(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PATCH, path, body).await
    }

    async fn send_json(&mut self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self.request(method, path).json(&body).send().await.expect("request");
        self.remember(r.headers());
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A post of raw bytes (a file) with its content type.
    pub async fn post_bytes(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self.request(reqwest::Method::POST, path).header("content-type", content_type).body(body);
        let r = r.send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A form post, as a page sends it: the CSRF token goes in the `_csrf` field.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        if let Some(token) = csrf.as_deref() {
            fields.push(("_csrf", token));
        }
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut r = self
            .app
            .http
            .post(self.app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(cookies) = self.cookies() {
            r = r.header("cookie", cookies);
        }
        let response = r.send().await.expect("request");
        self.remember(response.headers());
        response
    }

    /// A multipart post with files in parts named `photo`. As a page sends it (`page`),
    /// the CSRF token is the first field; as a script does, it is in the header.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        photos: &[Vec<u8>],
        page: bool,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        if page && let Some(token) = self.csrf.clone() {
            form = form.text("_csrf", token);
        }
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (i, bytes) in photos.iter().enumerate() {
            let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name(format!("photo{i}.jpg"));
            form = form.part("photo", part.mime_str("image/jpeg").unwrap());
        }
        let mut r = if page {
            let mut r = self.app.http.post(self.app.url(path));
            if let Some(cookies) = self.cookies() {
                r = r.header("cookie", cookies);
            }
            r
        } else {
            self.request(reqwest::Method::POST, path)
        };
        r = r.multipart(form);
        let response = r.send().await.expect("request");
        self.remember(response.headers());
        response
    }

    /// A page's multipart form with one file, in the part `part` under the name `file_name`;
    /// the CSRF token is the first field.
    pub async fn post_page_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        (part, file_name, bytes): (&str, &str, Vec<u8>),
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        if let Some(token) = self.csrf.clone() {
            form = form.text("_csrf", token);
        }
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        form = form.part(part.to_owned(), reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()));
        let mut r = self.app.http.post(self.app.url(path)).multipart(form);
        if let Some(cookies) = self.cookies() {
            r = r.header("cookie", cookies);
        }
        let response = r.send().await.expect("request");
        self.remember(response.headers());
        response
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let r = self.request(reqwest::Method::DELETE, path).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}
