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
// named here is one after the longest prefix of whole lines that still
// parses, searched from the end: the first line from which the file cannot
// be made valid by what follows.
func yamlSyntaxError(path string) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".yaml" && ext != ".yml" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var v any
	perr := yaml.Unmarshal(b, &v)
	var te *yaml.TypeError
	if perr == nil || errors.As(perr, &te) {
		return nil
	}
	lines := strings.SplitAfter(string(b), "\n")
	bad := 1
	for n := len(lines) - 1; n > 0; n-- {
		if yaml.Unmarshal([]byte(strings.Join(lines[:n], "")), &v) == nil {
			bad = n + 1
			break
		}
	}
	msg := yamlLine.ReplaceAllString(perr.Error(), "")
	return fmt.Errorf("%w: config file %s: line %d: YAML syntax error: %s", ErrConfig, path, bad, msg)
}
