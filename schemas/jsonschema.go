package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func init() { compilers[JSONSchema] = compileJSONSchema }

// jsonSchemaBase is the synthetic URL the main schema is compiled under;
// reference names that are not absolute URLs resolve against it, as the
// main schema's relative $refs do. Nothing is ever fetched from it.
const jsonSchemaBase = "mem://schema-registry/"

// The bounds of a validation failure's text: its first maxSchemaErrors
// errors, each cut to maxErrorLine bytes, all to maxErrorText, then how
// many more there were.
const (
	maxSchemaErrors = 5
	maxErrorLine    = 256
	maxErrorText    = 1 << 10
)

type jsonSchemaCodec struct {
	schema *jsonschema.Schema
}

// compileJSONSchema compiles src.text with src.refs as in-memory resources:
// each under its name (resolved against the synthetic base when relative),
// and served to a $ref whose URL ends with a relative name or equals a
// reference's $id. Schemas without $schema are draft-07, as Confluent's
// serializers default to. No loader reads files or the network: a $ref
// to anything else fails to compile.
func compileJSONSchema(src source) (codec, error) {
	base, _ := url.Parse(jsonSchemaBase)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	mem := &memLoader{byID: map[string]any{}}
	c.UseLoader(mem)
	locs := make([]string, len(src.refs))
	for i, ref := range src.refs {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(ref.text))
		if err != nil {
			return nil, fmt.Errorf("reference %q: not JSON: %w", ref.name, err)
		}
		u, err := url.Parse(ref.name)
		if err != nil || ref.name == "" {
			return nil, fmt.Errorf("reference %q: the name is not a URL", ref.name)
		}
		loc := base.ResolveReference(u)
		loc.Fragment, loc.RawFragment = "", ""
		if err := c.AddResource(loc.String(), doc); err != nil {
			return nil, fmt.Errorf("reference %q: %w", ref.name, err)
		}
		locs[i] = loc.String()
		if !u.IsAbs() {
			rel := *u
			rel.Fragment, rel.RawFragment = "", ""
			mem.relative = append(mem.relative, namedDoc{strings.TrimLeft(rel.String(), "./"), doc})
		}
		if obj, ok := doc.(map[string]any); ok {
			if id, ok := obj["$id"].(string); ok {
				if idURL, err := url.Parse(id); err == nil {
					idURL = loc.ResolveReference(idURL)
					idURL.Fragment, idURL.RawFragment = "", ""
					mem.byID[idURL.String()] = doc
				}
			}
		}
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src.text))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if err := c.AddResource(jsonSchemaBase, doc); err != nil {
		return nil, err
	}
	// Each reference compiles on its own too: a broken one fails here,
	// not when a record first reaches it.
	for i, loc := range locs {
		if _, err := c.Compile(loc); err != nil {
			return nil, fmt.Errorf("reference %q: %w", src.refs[i].name, oneLine(err))
		}
	}
	s, err := c.Compile(jsonSchemaBase)
	if err != nil {
		return nil, oneLine(err)
	}
	return &jsonSchemaCodec{schema: s}, nil
}

// oneLine is err's text on one line, bounded: the library lists a
// metaschema's complaints one a line.
func oneLine(err error) error {
	return errors.New(cut(strings.ReplaceAll(err.Error(), "\n", " "), maxErrorText))
}

// memLoader serves the references a $ref names by a URL they were not
// added under: a relative reference name the URL ends with (the longest),
// or a reference's $id. It loads nothing else.
type memLoader struct {
	relative []namedDoc
	byID     map[string]any
}

type namedDoc struct {
	name string
	doc  any
}

func (l *memLoader) Load(u string) (any, error) {
	if doc, ok := l.byID[u]; ok {
		return doc, nil
	}
	var found *namedDoc
	for i, r := range l.relative {
		if strings.HasSuffix(u, "/"+r.name) && (found == nil || len(r.name) > len(found.name)) {
			found = &l.relative[i]
		}
	}
	if found == nil {
		return nil, errors.New("not among the schema's references (nothing is fetched)")
	}
	return found.doc, nil
}

func (c *jsonSchemaCodec) name() string { return c.schema.Title }

// parse reads payload as one JSON document, numbers as json.Number (as
// the validator wants them), refusing anything after it.
func parseJSON(payload []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%w: jsonschema: empty document", ErrMismatch)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: jsonschema: invalid JSON at byte %d: %w", ErrMismatch, se.Offset, err)
		}
		return nil, fmt.Errorf("%w: jsonschema: invalid JSON: %w", ErrMismatch, err)
	}
	end := int(d.InputOffset())
	if _, err := d.Token(); err != io.EOF {
		for end < len(payload) && strings.IndexByte(" \t\r\n", payload[end]) >= 0 {
			end++
		}
		return nil, fmt.Errorf("%w: jsonschema: invalid JSON: data after the document at byte %d", ErrMismatch, end)
	}
	return v, nil
}

// validate checks the parsed document v against the schema.
func (c *jsonSchemaCodec) validate(v any) error {
	err := c.schema.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("%w: jsonschema: %s", ErrMismatch, cut(err.Error(), maxErrorText))
	}
	var lines []string
	n := leaves(ve, &lines)
	msg := cut(strings.Join(lines, "; "), maxErrorText)
	if n > len(lines) {
		msg += fmt.Sprintf("; and %d more", n-len(lines))
	}
	return fmt.Errorf("%w: jsonschema: %s", ErrMismatch, msg)
}

// leaves appends the text of e's first errors that have no causes (the
// ones that say what is wrong, where) to lines, and counts them all.
func leaves(e *jsonschema.ValidationError, lines *[]string) int {
	if len(e.Causes) == 0 {
		if len(*lines) < maxSchemaErrors {
			// A causeless copy prints as "at '/path': reason".
			leaf := jsonschema.ValidationError{InstanceLocation: e.InstanceLocation, ErrorKind: e.ErrorKind}
			*lines = append(*lines, cut(leaf.Error(), maxErrorLine))
		}
		return 1
	}
	n := 0
	for _, cause := range e.Causes {
		n += leaves(cause, lines)
	}
	return n
}

// cut bounds s to n bytes, not splitting a rune.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !isRuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func (c *jsonSchemaCodec) check(payload []byte) error {
	v, err := parseJSON(payload)
	if err != nil {
		return err
	}
	return c.validate(v)
}

// generic validates payload and returns it as params' JSON parser does:
// numbers as float64.
func (c *jsonSchemaCodec) generic(payload []byte) (any, error) {
	v, err := parseJSON(payload)
	if err != nil {
		return nil, err
	}
	if err := c.validate(v); err != nil {
		return nil, err
	}
	return floats(v)
}

// floats turns v's json.Numbers into float64s, in place, as
// encoding/json decodes numbers into any; one no float64 holds (1e400)
// fails as json.Unmarshal does.
func floats(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, fmt.Errorf("%w: jsonschema: number %s does not fit a float64", ErrMismatch, cut(string(x), maxErrorLine))
		}
		return f, nil
	case map[string]any:
		for k, e := range x {
			f, err := floats(e)
			if err != nil {
				return nil, err
			}
			x[k] = f
		}
	case []any:
		for i, e := range x {
			f, err := floats(e)
			if err != nil {
				return nil, err
			}
			x[i] = f
		}
	}
	return v, nil
}

func (c *jsonSchemaCodec) decode(payload []byte, v any) error {
	if p, ok := v.(*any); ok {
		g, err := c.generic(payload)
		if err == nil {
			*p = g
		}
		return err
	}
	if err := c.check(payload); err != nil {
		return err
	}
	if err := json.Unmarshal(payload, v); err != nil {
		return fmt.Errorf("%w: jsonschema: %w", ErrMismatch, err)
	}
	return nil
}

// appendEncode encodes v with encoding/json and appends it once it
// validates; []byte and json.RawMessage are a JSON document already.
func (c *jsonSchemaCodec) appendEncode(b []byte, v any) ([]byte, error) {
	switch doc := v.(type) {
	case []byte:
		return c.appendJSON(b, doc)
	case json.RawMessage:
		return c.appendJSON(b, doc)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: jsonschema: %w", ErrMismatch, err)
	}
	if err := c.check(out); err != nil {
		return nil, err
	}
	return append(b, out...), nil
}

// appendJSON appends doc, compacted, once it validates.
func (c *jsonSchemaCodec) appendJSON(b []byte, doc []byte) ([]byte, error) {
	if err := c.check(doc); err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, doc); err != nil {
		return nil, fmt.Errorf("%w: jsonschema: %w", ErrMismatch, err)
	}
	return buf.Bytes(), nil
}
