//! One answer, two formats. GeoReport v2 defines its documents in XML and derives the JSON
//! by the "Spark convention": a container of repeated elements becomes an array (even of
//! one), an element with mixed children becomes an object, an empty element becomes null.
//! A [`Node`] tree says which is which, and renders itself both ways.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

/// A leaf's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Leaf {
    /// Text, or nothing (`<name/>`, JSON null).
    Text(Option<String>),
    Number(f64),
    Integer(i64),
    Bool(bool),
}

/// An element of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Leaf(&'static str, Leaf),
    /// An element with named children: a JSON object.
    Object(&'static str, Vec<Node>),
    /// A container of repeated elements: a JSON array of their values.
    List(&'static str, Vec<Node>),
}

impl Node {
    pub fn text(name: &'static str, value: impl Into<String>) -> Node {
        let value: String = value.into();
        Node::Leaf(name, Leaf::Text((!value.is_empty()).then_some(value)))
    }

    pub fn maybe(name: &'static str, value: Option<String>) -> Node {
        Node::Leaf(name, Leaf::Text(value.filter(|v| !v.is_empty())))
    }

    fn name(&self) -> &'static str {
        match self {
            Node::Leaf(name, _) | Node::Object(name, _) | Node::List(name, _) => name,
        }
    }

    /// The JSON value of this element (its name is the key its parent gives it).
    pub fn to_json(&self) -> Value {
        match self {
            Node::Leaf(_, Leaf::Text(text)) => text.clone().map_or(Value::Null, Value::String),
            Node::Leaf(_, Leaf::Number(n)) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Node::Leaf(_, Leaf::Integer(n)) => Value::from(*n),
            Node::Leaf(_, Leaf::Bool(b)) => Value::Bool(*b),
            Node::Object(_, children) => {
                Value::Object(children.iter().map(|c| (c.name().to_owned(), c.to_json())).collect::<Map<_, _>>())
            }
            Node::List(_, items) => Value::Array(items.iter().map(Node::to_json).collect()),
        }
    }

    /// The XML document, with its declaration.
    pub fn to_xml(&self) -> Vec<u8> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing to a Vec cannot fail.
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
        self.write(&mut writer);
        let mut bytes = writer.into_inner();
        bytes.push(b'\n');
        bytes
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) {
        let name = self.name();
        let text = match self {
            Node::Leaf(_, Leaf::Text(None)) => {
                let _ = writer.write_event(Event::Empty(BytesStart::new(name)));
                return;
            }
            Node::Leaf(_, Leaf::Text(Some(t))) => t.clone(),
            Node::Leaf(_, Leaf::Number(n)) => n.to_string(),
            Node::Leaf(_, Leaf::Integer(n)) => n.to_string(),
            Node::Leaf(_, Leaf::Bool(b)) => b.to_string(),
            Node::Object(_, children) | Node::List(_, children) => {
                let _ = writer.write_event(Event::Start(BytesStart::new(name)));
                for child in children {
                    child.write(writer);
                }
                let _ = writer.write_event(Event::End(BytesEnd::new(name)));
                return;
            }
        };
        let _ = writer.write_event(Event::Start(BytesStart::new(name)));
        let _ = writer.write_event(Event::Text(BytesText::new(&text)));
        let _ = writer.write_event(Event::End(BytesEnd::new(name)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services() -> Node {
        Node::List(
            "services",
            vec![Node::Object(
                "service",
                vec![
                    Node::text("service_code", "E0101"),
                    Node::text("service_name", "暴露垃圾 <&>"),
                    Node::Leaf("metadata", Leaf::Bool(false)),
                    Node::maybe("group", None),
                ],
            )],
        )
    }

    #[test]
    fn one_item_is_still_an_array_and_empty_is_null() {
        assert_eq!(
            services().to_json(),
            serde_json::json!([{"service_code": "E0101", "service_name": "暴露垃圾 <&>", "metadata": false, "group": null}])
        );
        let formats = Node::List("formats", vec![Node::text("format", "text/xml")]);
        assert_eq!(formats.to_json(), serde_json::json!(["text/xml"]));
    }

    #[test]
    fn xml_has_a_declaration_escapes_and_keeps_chinese() {
        let xml = String::from_utf8(services().to_xml()).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services>"), "{xml}");
        assert!(xml.contains("<service_name>暴露垃圾 &lt;&amp;&gt;</service_name>"), "{xml}");
        assert!(xml.contains("<group/>") && xml.contains("<metadata>false</metadata>"), "{xml}");
    }
}
