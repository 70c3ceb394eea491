package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// configRow is a row of a configuration table: | `key` | `default` | meaning |.
var configRow = regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\| `([^`]*)` \\| (.*) \\|$")

// The configuration reference (docs/configuration.md) lists exactly the
// schema's keys, in its order, each with its default (an empty string shown
// as "") and a meaning that starts with the schema's doc (backticks aside):
// the page may add to it (links, flags), but cannot drift from the schema.
// The README is held to the same while it has a configuration table.
func TestREADME_configTableMatchesSchema(t *testing.T) {
	for _, path := range []string{"../docs/configuration.md", "../README.md"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows := configRow.FindAllStringSubmatch(string(b), -1)
		if len(rows) == 0 && path == "../README.md" {
			continue // the table lives in docs/configuration.md
		}
		checkConfigTable(t, path, rows)
	}
}

func checkConfigTable(t *testing.T, path string, rows [][]string) {
	t.Helper()
	s := DefaultSettings("karafka_app")
	var want []string
	for _, k := range schema {
		v := value(&s, k)
		if v == "" {
			v = `""`
		}
		want = append(want, "`"+k.name+"` = `"+v+"`")
	}
	var got []string
	docs := map[string]string{}
	for _, m := range rows {
		got = append(got, "`"+m[1]+"` = `"+m[2]+"`")
		docs[m[1]] = strings.ReplaceAll(m[3], "`", "")
	}
	for _, k := range schema {
		if d, ok := docs[k.name]; ok && !strings.HasPrefix(d, k.doc) {
			t.Errorf("%s: the meaning of %s does not start with the schema's doc:\n  %s\n  schema: %s", path, k.name, d, k.doc)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s's config table differs from cli/schema.go (key = default, in order):\n--- %s\n%s\n--- schema\n%s",
			path, path, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
