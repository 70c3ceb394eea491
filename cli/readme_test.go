package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeRow is a row of the configuration table of docs/configuration.md
// (the README's until it became a first page): | `key` | `default` | meaning |.
var readmeRow = regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\| `([^`]*)` \\| (.*) \\|$")

// The configuration table of docs/configuration.md lists exactly the
// schema's keys, in its order, each with its default (an empty string shown
// as "") and a meaning that starts with the schema's doc (backticks aside):
// the page may add to it (links, flags), but cannot drift from the schema.
func TestDocs_configTableMatchesSchema(t *testing.T) {
	b, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
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
	for _, m := range readmeRow.FindAllStringSubmatch(string(b), -1) {
		got = append(got, "`"+m[1]+"` = `"+m[2]+"`")
	}
	docs := map[string]string{}
	for _, m := range readmeRow.FindAllStringSubmatch(string(b), -1) {
		docs[m[1]] = strings.ReplaceAll(m[3], "`", "")
	}
	for _, k := range schema {
		if d, ok := docs[k.name]; ok && !strings.HasPrefix(d, k.doc) {
			t.Errorf("docs/configuration.md's meaning of %s does not start with the schema's doc:\n  page:   %s\n  schema: %s", k.name, d, k.doc)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/configuration.md's table differs from cli/schema.go (key = default, in order):\n--- docs/configuration.md\n%s\n--- schema\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
