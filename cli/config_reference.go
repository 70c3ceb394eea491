package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// The table of docs/configuration.md is generated between these markers;
// the prose around it is written by hand.
const (
	referenceBegin = "<!-- BEGIN generated from cli/schema.go by `go generate ./cli`: edit the schema, not this table -->\n"
	referenceEnd   = "<!-- END generated from cli/schema.go -->\n"
)

// WriteConfigReference writes the table of the configuration reference
// (docs/configuration.md): every key in documentation order, its default and
// what it is for, as Markdown rows | `key` | `default` | doc |.
func WriteConfigReference(w io.Writer) error {
	s := DefaultSettings("karafka_app")
	bw := bufio.NewWriter(w)
	bw.WriteString("| key | default | meaning |\n|---|---|---|\n")
	for _, k := range schema {
		def := value(&s, k)
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(bw, "| `%s` | `%s` | %s%s |\n", k.name, def, markdown(k.doc), k.more)
	}
	return bw.Flush()
}

// placeholder matches a word with <placeholders>, such as <name>_<topic>,
// which Markdown would read as HTML.
var placeholder = regexp.MustCompile(`[^\s()]*<[^\s()]*>[^\s()]*`)

// markdown is a schema doc as table cell text: placeholders in backticks,
// pipes escaped.
func markdown(doc string) string {
	doc = placeholder.ReplaceAllString(doc, "`$0`")
	return strings.ReplaceAll(doc, "|", `\|`)
}

// withReference returns page with its generated table replaced by table.
func withReference(page, table []byte) ([]byte, error) {
	before, rest, ok := bytes.Cut(page, []byte(referenceBegin))
	if !ok {
		return nil, errors.New("no line " + strings.TrimSpace(referenceBegin))
	}
	_, after, ok := bytes.Cut(rest, []byte(referenceEnd))
	if !ok {
		return nil, errors.New("no line " + strings.TrimSpace(referenceEnd))
	}
	out := append(bytes.Clone(before), referenceBegin...)
	out = append(append(out, table...), referenceEnd...)
	return append(out, after...), nil
}
