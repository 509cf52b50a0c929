//! The file-level import graph of `src/`: which file each `crate::…`, `super::…`, `self::…`
//! or child-module path in a file's code resolves to, with `pub use` re-exports followed to
//! the file that defines the item. `tests/layering.rs` checks the folder rules and the circles
//! on it. Test modules (`#[cfg(test)]` onwards) are left out: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file, as a module path (`["app", "logic"]`) and its code without comments,
/// strings and tests.
struct Module {
    path: Vec<String>,
    file: PathBuf,
    code: String,
    /// Child modules declared with `mod name;`.
    children: BTreeSet<String>,
}

pub struct UseGraph {
    /// File (relative to `src/`) → the files it names.
    pub edges: BTreeMap<String, BTreeSet<String>>,
}

impl UseGraph {
    /// Reads every file of the library under `src` (not the binaries in `src/bin`, nor
    /// `src/main.rs`).
    pub fn of_library(src: &Path) -> Self {
        let mut files = Vec::new();
        collect(src, &mut files);
        let modules: Vec<Module> = files
            .into_iter()
            .filter(|file| {
                let relative = file.strip_prefix(src).unwrap_or(file);
                !relative.starts_with("bin") && relative != Path::new("main.rs")
            })
            .map(|file| {
                let raw = std::fs::read_to_string(&file).unwrap_or_default();
                let code = strip_tests(&strip_comments_and_strings(&raw));
                let relative = file.strip_prefix(src).unwrap_or(&file).to_path_buf();
                Module {
                    path: module_path(&relative),
                    children: child_modules(&code),
                    file: relative,
                    code,
                }
            })
            .collect();
        let by_path: BTreeMap<Vec<String>, usize> = modules
            .iter()
            .enumerate()
            .map(|(index, module)| (module.path.clone(), index))
            .collect();
        let reexports: Vec<BTreeMap<String, Vec<String>>> =
            modules.iter().map(reexports_of).collect();
        let resolver = Resolver {
            by_path: &by_path,
            reexports: &reexports,
        };
        let mut edges = BTreeMap::new();
        for (index, module) in modules.iter().enumerate() {
            let mut targets = BTreeSet::new();
            for (path, is_reexport) in paths_named(module) {
                if is_reexport {
                    continue;
                }
                if let Some(target) = resolver.file_of(&path, 0)
                    && target != index
                {
                    targets.insert(display(&modules[target].file));
                }
            }
            edges.insert(display(&module.file), targets);
        }
        Self { edges }
    }

    /// Groups of files that import each other, directly or round a longer loop (strongly
    /// connected components with more than one file).
    pub fn circles(&self) -> Vec<Vec<String>> {
        let names: Vec<&String> = self.edges.keys().collect();
        let index_of: BTreeMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let successors: Vec<Vec<usize>> = names
            .iter()
            .map(|name| {
                self.edges[*name]
                    .iter()
                    .filter_map(|target| index_of.get(target).copied())
                    .collect()
            })
            .collect();
        strongly_connected(&successors)
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|component| {
                let mut files: Vec<String> =
                    component.into_iter().map(|i| names[i].clone()).collect();
                files.sort();
                files
            })
            .collect()
    }
}

struct Resolver<'a> {
    by_path: &'a BTreeMap<Vec<String>, usize>,
    reexports: &'a [BTreeMap<String, Vec<String>>],
}

impl Resolver<'_> {
    /// The file that defines what an absolute path names: the deepest file module on the path,
    /// then through that module's `pub use` when the next segment is re-exported.
    fn file_of(&self, path: &[String], depth: usize) -> Option<usize> {
        if depth > 16 {
            return None;
        }
        let mut found = None;
        for length in (0..=path.len()).rev() {
            if let Some(&index) = self.by_path.get(&path[..length]) {
                found = Some((index, length));
                break;
            }
        }
        let (index, length) = found?;
        if let Some(next) = path.get(length)
            && let Some(target) = self.reexports[index].get(next)
        {
            let mut through = target.clone();
            through.extend(path[length + 1..].iter().cloned());
            if through != path {
                return self.file_of(&through, depth + 1).or(Some(index));
            }
        }
        Some(index)
    }
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
}

fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if stem != "mod" && stem != "lib" {
            parts.push(stem);
        }
    }
    parts
}

/// The code with comments, string and char literals blanked, so that a path in a doc comment
/// or a message is not an import.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && is_raw_start(&chars, i) {
            let mut hashes = 0;
            i += 1;
            while chars.get(i) == Some(&'#') {
                hashes += 1;
                i += 1;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next.is_some() && chars.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push_str("' '");
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_raw_start(chars: &[char], i: usize) -> bool {
    let before_is_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    if before_is_ident {
        return false;
    }
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// Everything from the first `#[cfg(test)]` on: the unit tests sit at the end of a file.
fn strip_tests(code: &str) -> String {
    match code.find("#[cfg(test)]") {
        Some(at) => code[..at].to_string(),
        None => code.to_string(),
    }
}

fn child_modules(code: &str) -> BTreeSet<String> {
    let mut children = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim();
        let rest = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("pub(crate) mod "))
            .or_else(|| line.strip_prefix("mod "));
        if let Some(rest) = rest
            && let Some(name) = rest.strip_suffix(';')
        {
            children.insert(name.trim().to_string());
        }
    }
    children
}

/// Every path a module's code names, made absolute, with whether it sits in a `pub use`.
fn paths_named(module: &Module) -> Vec<(Vec<String>, bool)> {
    let mut found = Vec::new();
    let code = &module.code;
    // `use` statements first (they may hold groups), then the rest of the code.
    let mut rest = String::new();
    let mut cursor = 0;
    for (start, end, is_pub) in use_statements(code) {
        rest.push_str(&code[cursor..start]);
        cursor = end;
        let body = code[start..end]
            .trim_start_matches(|c: char| c != 'u')
            .trim_start_matches("use")
            .trim()
            .trim_end_matches(';');
        for path in expand_use(body) {
            if let Some(absolute) = absolute(module, &path) {
                found.push((absolute, is_pub));
            }
        }
    }
    rest.push_str(&code[cursor..]);
    for path in inline_paths(&rest) {
        if let Some(absolute) = absolute(module, &path) {
            found.push((absolute, false));
        }
    }
    found
}

/// `(start, end, is_pub)` of each `use …;` statement.
fn use_statements(code: &str) -> Vec<(usize, usize, bool)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(offset) = code[at..].find("use ") {
        let start = at + offset;
        let boundary_before = start == 0 || !is_ident_byte(bytes[start - 1]);
        if !boundary_before {
            at = start + 4;
            continue;
        }
        let line_start = code[..start].rfind('\n').map_or(0, |n| n + 1);
        let prefix = code[line_start..start].trim();
        let is_statement = prefix.is_empty()
            || prefix == "pub"
            || prefix.starts_with("pub(")
            || prefix.ends_with('{')
            || prefix.ends_with(';')
            || prefix.ends_with(']');
        let Some(end) = code[start..].find(';').map(|e| start + e + 1) else {
            break;
        };
        if is_statement {
            found.push((start, end, prefix.starts_with("pub")));
            at = end;
        } else {
            at = start + 4;
        }
    }
    found
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// `a::{b, c::{d, e as f}}` → `a::b`, `a::c::d`, `a::c::e` (as segments).
fn expand_use(body: &str) -> Vec<Vec<String>> {
    // Aliases name nothing new for the graph: drop `as name` before the spaces go.
    let mut words = Vec::new();
    let mut tokens = body.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        if token == "as" {
            // The alias itself, with any `,` or `}` glued to it kept.
            if let Some(alias) = tokens.next() {
                words.push(alias.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_'));
            }
        } else {
            words.push(token);
        }
    }
    let compact: String = words.concat();
    let mut out = Vec::new();
    expand_into(&compact, &mut Vec::new(), &mut out);
    out
}

fn expand_into(text: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let text = text.trim_start_matches("::");
    if let Some(open) = text.find('{') {
        let head = split_path(&text[..open]);
        let inner = &text[open + 1..text.rfind('}').unwrap_or(text.len())];
        let depth_before = prefix.len();
        prefix.extend(head);
        for part in split_top_level(inner) {
            expand_into(&part, prefix, out);
        }
        prefix.truncate(depth_before);
    } else {
        let mut path = prefix.clone();
        path.extend(split_path(text));
        if !path.is_empty() {
            out.push(path);
        }
    }
}

fn split_path(text: &str) -> Vec<String> {
    text.split("::")
        .filter(|part| !part.is_empty() && *part != "*")
        .map(|part| part.to_string())
        .collect()
}

fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '{' => {
                depth += 1;
                current.push(c);
            }
            '}' => {
                depth -= 1;
                current.push(c);
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Paths like `crate::a::b`, `super::x`, `self::y` and `child::z` written in code.
fn inline_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_ident = (chars[i].is_alphabetic() || chars[i] == '_')
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
            && (i < 2 || !(chars[i - 1] == ':' && chars[i - 2] == ':'));
        if !starts_ident {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let begin = j;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if begin == j {
                break;
            }
            segments.push(chars[begin..j].iter().collect::<String>());
            if chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') {
                j += 2;
                if chars.get(j) == Some(&'<') || chars.get(j) == Some(&'{') {
                    break;
                }
            } else {
                break;
            }
        }
        // `pub(in crate::app)` names a visibility, not an item.
        let visibility = code_before(&chars, i).ends_with("(in ");
        if segments.len() > 1 && !visibility {
            out.push(segments);
        }
        i = j.max(i + 1);
    }
    out
}

/// The few characters before `at`, to tell a visibility from a path.
fn code_before(chars: &[char], at: usize) -> String {
    chars[at.saturating_sub(4)..at].iter().collect()
}

/// The absolute module path of a path named in `module`, or `None` for an outside crate or a
/// local name.
fn absolute(module: &Module, path: &[String]) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module_dir(module),
        "super" => {
            let mut dir = module_dir(module);
            dir.pop();
            dir
        }
        name if module.children.contains(name) => {
            let mut dir = module_dir(module);
            dir.push(name.to_string());
            let mut full = dir;
            full.extend(path[1..].iter().cloned());
            return Some(full);
        }
        _ => return None,
    };
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The module a file's `self::` names: the file's own module path.
fn module_dir(module: &Module) -> Vec<String> {
    module.path.clone()
}

/// `pub use` names in a module: the item's name → the absolute path it re-exports.
fn reexports_of(module: &Module) -> BTreeMap<String, Vec<String>> {
    let mut names = BTreeMap::new();
    for (start, end, is_pub) in use_statements(&module.code) {
        if !is_pub {
            continue;
        }
        let body = module.code[start..end]
            .trim_start_matches(|c: char| c != 'u')
            .trim_start_matches("use")
            .trim()
            .trim_end_matches(';');
        for path in expand_use(body) {
            let Some(absolute) = absolute(module, &path) else {
                continue;
            };
            if let Some(name) = absolute.last() {
                names.insert(name.clone(), absolute.clone());
            }
        }
    }
    names
}

/// Tarjan's algorithm, iterative enough for a few hundred files.
fn strongly_connected(successors: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        successors: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(state: &mut State, v: usize) {
        state.index[v] = Some(state.next);
        state.low[v] = state.next;
        state.next += 1;
        state.stack.push(v);
        state.on_stack[v] = true;
        for &w in &state.successors[v] {
            match state.index[w] {
                None => {
                    visit(state, w);
                    state.low[v] = state.low[v].min(state.low[w]);
                }
                Some(index) if state.on_stack[w] => state.low[v] = state.low[v].min(index),
                Some(_) => {}
            }
        }
        if Some(state.low[v]) == state.index[v] {
            let mut component = Vec::new();
            while let Some(w) = state.stack.pop() {
                state.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            state.out.push(component);
        }
    }
    let count = successors.len();
    let mut state = State {
        successors,
        index: vec![None; count],
        low: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..count {
        if state.index[v].is_none() {
            visit(&mut state, v);
        }
    }
    state.out
}
