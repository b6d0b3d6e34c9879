//! Aligned two-column text for human output.

/// Renders `rows` as `label  value` lines, the values aligned, each line starting with
/// `indent` spaces. A value with several lines keeps its continuation lines aligned too.
pub fn columns<L: AsRef<str>, V: AsRef<str>>(indent: usize, rows: &[(L, V)]) -> String {
    let width = rows
        .iter()
        .map(|(label, _)| label.as_ref().chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, value) in rows {
        let mut lines = value.as_ref().lines();
        let first = lines.next().unwrap_or("");
        let line = format!(
            "{:indent$}{:width$}  {first}",
            "",
            label.as_ref(),
            indent = indent,
            width = width
        );
        out.push_str(line.trim_end());
        out.push('\n');
        for more in lines {
            out.push_str(&format!("{:pad$}{more}\n", "", pad = indent + width + 2));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::columns;

    #[test]
    fn values_line_up_after_the_longest_label() {
        let shown = columns(2, &[("a", "1"), ("long", "2"), ("empty", "")]);
        assert_eq!(shown, "  a      1\n  long   2\n  empty\n");
    }
}
