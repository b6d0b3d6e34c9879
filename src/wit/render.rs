//! WIT items rendered as structural text, to compare and to name them in messages.
//!
//! Two worlds decoded from different places have different type ids for the same type, and
//! aliases (`type count = u32`) are transparent to the Component Model, so items are compared
//! by their structure written out in full: `func(by: u32) -> u32`,
//! `record { x: s32, y: s32 }`, `list<tuple<string, option<u8>>>`. Resources are named
//! (`own<counter>`), as the Component Model types them by identity, not by structure.

use wit_parser::{Function, FunctionKind, Handle, Interface, Resolve, Type, TypeDefKind};

/// A type written out structurally: `u32` => `u32`, `type count = u32` => `u32`,
/// `record point { x: s32, y: s32 }` => `record { x: s32, y: s32 }`.
pub(crate) fn ty(resolve: &Resolve, ty: &Type) -> String {
    let id = match ty {
        Type::Bool => return "bool".into(),
        Type::U8 => return "u8".into(),
        Type::U16 => return "u16".into(),
        Type::U32 => return "u32".into(),
        Type::U64 => return "u64".into(),
        Type::S8 => return "s8".into(),
        Type::S16 => return "s16".into(),
        Type::S32 => return "s32".into(),
        Type::S64 => return "s64".into(),
        Type::F32 => return "f32".into(),
        Type::F64 => return "f64".into(),
        Type::Char => return "char".into(),
        Type::String => return "string".into(),
        Type::ErrorContext => return "error-context".into(),
        Type::Id(id) => *id,
    };
    let def = &resolve.types[id];
    let opt = |t: &Option<Type>| t.as_ref().map(|t| self::ty(resolve, t));
    let resource_name = |id: &wit_parser::TypeId| {
        let mut id = *id;
        // A `use`d resource is an alias of the one it names.
        while let TypeDefKind::Type(Type::Id(next)) = &resolve.types[id].kind {
            id = *next;
        }
        resolve.types[id]
            .name
            .clone()
            .unwrap_or_else(|| "resource".into())
    };
    match &def.kind {
        TypeDefKind::Type(inner) => self::ty(resolve, inner),
        TypeDefKind::Record(r) => {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, self::ty(resolve, &f.ty)))
                .collect();
            format!("record {{ {} }}", fields.join(", "))
        }
        TypeDefKind::Resource => format!("resource {}", resource_name(&id)),
        TypeDefKind::Handle(Handle::Own(r)) => format!("own<{}>", resource_name(r)),
        TypeDefKind::Handle(Handle::Borrow(r)) => format!("borrow<{}>", resource_name(r)),
        TypeDefKind::Flags(f) => {
            let names: Vec<&str> = f.flags.iter().map(|f| f.name.as_str()).collect();
            format!("flags {{ {} }}", names.join(", "))
        }
        TypeDefKind::Tuple(t) => {
            let types: Vec<String> = t.types.iter().map(|t| self::ty(resolve, t)).collect();
            format!("tuple<{}>", types.join(", "))
        }
        TypeDefKind::Variant(v) => {
            let cases: Vec<String> = v
                .cases
                .iter()
                .map(|c| match opt(&c.ty) {
                    Some(t) => format!("{}({t})", c.name),
                    None => c.name.clone(),
                })
                .collect();
            format!("variant {{ {} }}", cases.join(", "))
        }
        TypeDefKind::Enum(e) => {
            let cases: Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
            format!("enum {{ {} }}", cases.join(", "))
        }
        TypeDefKind::Option(t) => format!("option<{}>", self::ty(resolve, t)),
        TypeDefKind::Result(r) => match (opt(&r.ok), opt(&r.err)) {
            (None, None) => "result".into(),
            (Some(ok), None) => format!("result<{ok}>"),
            (None, Some(err)) => format!("result<_, {err}>"),
            (Some(ok), Some(err)) => format!("result<{ok}, {err}>"),
        },
        TypeDefKind::List(t) => format!("list<{}>", self::ty(resolve, t)),
        TypeDefKind::Map(k, v) => {
            format!("map<{}, {}>", self::ty(resolve, k), self::ty(resolve, v))
        }
        TypeDefKind::FixedLengthList(t, n) => format!("list<{}, {n}>", self::ty(resolve, t)),
        TypeDefKind::Future(t) => match opt(t) {
            Some(t) => format!("future<{t}>"),
            None => "future".into(),
        },
        TypeDefKind::Stream(t) => match opt(t) {
            Some(t) => format!("stream<{t}>"),
            None => "stream".into(),
        },
        TypeDefKind::Unknown => "unknown".into(),
    }
}

/// A function's signature: `increment: func(by: u32) -> u32` => `func(by: u32) -> u32`;
/// `async` functions start with `async `, resource methods show their `self` parameter.
pub(crate) fn func(resolve: &Resolve, func: &Function) -> String {
    let params: Vec<String> = func
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, ty(resolve, &p.ty)))
        .collect();
    let asynchronous = matches!(
        func.kind,
        FunctionKind::AsyncFreestanding
            | FunctionKind::AsyncMethod(_)
            | FunctionKind::AsyncStatic(_)
    );
    let mut out = String::new();
    if asynchronous {
        out.push_str("async ");
    }
    out.push_str("func(");
    out.push_str(&params.join(", "));
    out.push(')');
    if let Some(result) = &func.result {
        out.push_str(" -> ");
        out.push_str(&ty(resolve, result));
    }
    out
}

/// An interface's contents, item by item: `(name, "func(…)")` for each function (methods as
/// `[method]counter.get`, as the Component Model names them) and `(name, "record { … }")` for
/// each type.
pub(crate) fn interface(resolve: &Resolve, iface: &Interface) -> Vec<(String, Item)> {
    let types = iface
        .types
        .iter()
        .map(|(name, id)| (name.clone(), Item::Type(ty(resolve, &Type::Id(*id)))));
    let funcs = iface
        .functions
        .iter()
        .map(|(name, f)| (name.clone(), Item::Func(func(resolve, f))));
    types.chain(funcs).collect()
}

/// One item of an interface, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// A function's signature.
    Func(String),
    /// A type's structure.
    Type(String),
}

impl Item {
    /// `function` or `type`, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Item::Func(_) => "function",
            Item::Type(_) => "type",
        }
    }

    /// The rendered signature or structure.
    pub(crate) fn text(&self) -> &str {
        match self {
            Item::Func(text) | Item::Type(text) => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world_items(wit: &str) -> Vec<(String, String)> {
        let mut resolve = Resolve::default();
        let pkg = resolve.push_source("t.wit", wit).unwrap();
        let world = resolve.select_world(&[pkg], None).unwrap();
        let mut out = Vec::new();
        for (key, item) in &resolve.worlds[world].exports {
            let name = resolve.name_world_key(key);
            match item {
                wit_parser::WorldItem::Function(f) => out.push((name, func(&resolve, f))),
                wit_parser::WorldItem::Interface { id, .. } => {
                    for (item_name, item) in interface(&resolve, &resolve.interfaces[*id]) {
                        out.push((format!("{name}.{item_name}"), item.text().to_string()));
                    }
                }
                wit_parser::WorldItem::Type { id, .. } => {
                    out.push((name, ty(&resolve, &Type::Id(*id))))
                }
            }
        }
        out
    }

    #[test]
    fn types_render_by_structure_with_aliases_expanded() {
        let items = world_items(
            "package t:t;
             interface shapes {
                 type count = u32;
                 record point { x: s32, y: s32 }
                 variant shape { dot(point), none }
                 enum colour { red, green }
                 flags perms { read, write }
                 resource counter { get: func() -> count; }
                 area: func(s: shape, c: colour, p: perms) -> result<list<tuple<count, option<string>>>, string>;
                 make: func() -> counter;
             }
             world w { export shapes; export go: async func(); }",
        );
        let get = |n: &str| items.iter().find(|(k, _)| k == n).unwrap().1.clone();
        assert_eq!(get("t:t/shapes.count"), "u32");
        assert_eq!(get("t:t/shapes.point"), "record { x: s32, y: s32 }");
        assert_eq!(
            get("t:t/shapes.shape"),
            "variant { dot(record { x: s32, y: s32 }), none }"
        );
        assert_eq!(get("t:t/shapes.colour"), "enum { red, green }");
        assert_eq!(get("t:t/shapes.perms"), "flags { read, write }");
        assert_eq!(get("t:t/shapes.counter"), "resource counter");
        assert_eq!(
            get("t:t/shapes.[method]counter.get"),
            "func(self: borrow<counter>) -> u32"
        );
        assert_eq!(get("t:t/shapes.make"), "func() -> own<counter>");
        assert!(
            get("t:t/shapes.area").ends_with("-> result<list<tuple<u32, option<string>>>, string>")
        );
        assert_eq!(get("go"), "async func()");
    }
}
