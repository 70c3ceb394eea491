package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlLine is the "line N: " yaml.v3 puts before a problem.
var yamlLine = regexp.MustCompile(`^yaml: (line \d+: )?`)

// yamlSyntaxError returns, for a YAML config file that does not parse, an
// error naming the file and the line where it stops parsing; nil for a file
// that is not YAML, cannot be read, or parses.
//
// yaml.v3's own line is that of the construct the problem is in, and 0-based
// for parser errors ("b: [1, 2" unclosed on line 2 is "line 1"). The line
// named here is found by badYAMLLine.
func yamlSyntaxError(path string) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".yaml" && ext != ".yml" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	perr := yamlParse(b)
	var te *yaml.TypeError
	if perr == nil || errors.As(perr, &te) {
		return nil
	}
	bad := badYAMLLine(b)
	// yaml.v3 quotes some of the file (an anchor's name, a value): not
	// shown, as any file may be named as the config.
	msg := unquoted(yamlLine.ReplaceAllString(perr.Error(), ""))
	return fmt.Errorf("%w: config file %s: line %d: YAML syntax error: %s", ErrConfig, path, bad, msg)
}

// yamlParse decodes b as YAML into an any.
func yamlParse(b []byte) error {
	var v any
	return yaml.Unmarshal(b, &v)
}

// yamlParseNode parses b as YAML, into a node: syntax only, in time linear
// in b (decoding a mapping into a Go map checks every key against the
// others: a mapping of 20,000 keys takes a second). A variable so that
// tests count the work.
var yamlParseNode = func(b []byte) error {
	var n yaml.Node
	return yaml.Unmarshal(b, &n)
}

// badYAMLLine returns the line of b (which does not parse) from which it
// stops parsing: one after the longest prefix of whole lines that parses,
// searched from the end (the first line from which the file cannot be made
// valid by what follows).
//
// The search re-parses prefixes, so it is bounded: once it has parsed
// yamlSearchBudget times the file's size (plus a constant, so that the
// search is exhaustive in any file of a few thousand lines), it gallops
// down from the lowest failing prefix (1, 2, 4, ... lines shorter) to one
// that parses, and bisects between the two. The line then named is one
// after a prefix that parses and before which one line more does not: the
// same as the exhaustive search whenever prefixes stop parsing at one line
// for good (an unclosed quote, a bad indentation), and a line where the
// file breaks otherwise. At most 2*log2(lines) parses follow the budget:
// an unclosed quote on line 1 of a 20,000-line file took 56 s to report
// when every prefix was parsed in turn.
func badYAMLLine(b []byte) int {
	// ends[n] is the length of the first n lines.
	ends := []int{0}
	for i, c := range b {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if ends[len(ends)-1] != len(b) {
		ends = append(ends, len(b))
	}
	parses := func(n int) bool { return n == 0 || yamlParseNode(b[:ends[n]]) == nil }

	// fail is the shortest prefix known not to parse: the whole file.
	fail := len(ends) - 1
	budget, spent := yamlSearchBudget*len(b)+yamlSearchConst, 0
	for n := fail - 1; n > 0; n-- {
		if spent += ends[n]; spent > budget {
			break
		}
		if parses(n) {
			return n + 1
		}
		fail = n
	}
	// Gallop down to a prefix that parses (the empty one does)...
	ok := 0
	for step := 1; fail-step > 0; step *= 2 {
		if n := fail - step; parses(n) {
			ok = n
			break
		} else {
			fail = n
		}
	}
	// ...and bisect: ok parses, fail does not.
	for fail-ok > 1 {
		mid := ok + (fail-ok)/2
		if parses(mid) {
			ok = mid
		} else {
			fail = mid
		}
	}
	return ok + 1
}

// The exhaustive search of badYAMLLine stops after parsing
// yamlSearchBudget times the file's size plus yamlSearchConst bytes.
const (
	yamlSearchBudget = 4
	yamlSearchConst  = 1 << 20
)
