package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Locating a YAML syntax error re-parses prefixes of the file; that work is
// bounded by a small multiple of the file's size: an unclosed quote on line
// 1 of a 20,000-line file took 56 s, every prefix being parsed in turn
// (quadratic). The test counts the bytes parsed rather than timing them.
func TestLoad_yamlSyntaxErrorWorkIsBounded(t *testing.T) {
	var body strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&body, "k%d: v\n", i)
	}
	for _, tt := range []struct {
		name, text string
		line       int
	}{
		{"unclosed quote on line 1", "name: \"x\n" + body.String(), 1},
		{"unclosed quote near the end", body.String()[:len(body.String())-1000] + "name: \"x\n" + body.String()[len(body.String())-1000:],
			strings.Count(body.String()[:len(body.String())-1000], "\n") + 1},
		{"unclosed flow in the middle", body.String()[:len(body.String())/2] + "brokers: [a,\n" + body.String()[len(body.String())/2:],
			strings.Count(body.String()[:len(body.String())/2], "\n") + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.text)
			// A multiple of the size for the search, and a log factor for
			// narrowing down (20k lines: log2 < 15).
			limit := 40*len(tt.text) + 1<<20
			parsed, calls := 0, 0
			orig := yamlParseNode
			t.Cleanup(func() { yamlParseNode = orig })
			yamlParseNode = func(b []byte) error {
				parsed += len(b)
				calls++
				if parsed > limit {
					t.Fatalf("parsed %d bytes in %d calls, more than %d, for a %d-byte file", parsed, calls, limit, len(tt.text))
				}
				return orig(b)
			}
			_, err := Load("x", Sources{File: path})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), fmt.Sprintf("%s: line %d: YAML syntax error", path, tt.line)) {
				t.Fatalf("Load = %v; want line %d", err, tt.line)
			}
			t.Logf("%d calls, %d bytes (%.1f times the file)", calls, parsed, float64(parsed)/float64(len(tt.text)))
		})
	}
}

// BenchmarkLoad_yamlSyntaxError: the cost of reporting an unclosed quote on
// line 1 of a 20,000-line file.
func BenchmarkLoad_yamlSyntaxError(b *testing.B) {
	var body strings.Builder
	body.WriteString("name: \"x\n")
	for i := range 20_000 {
		fmt.Fprintf(&body, "k%d: v\n", i)
	}
	path := b.TempDir() + "/karafka.yaml"
	if err := writeFileB(path, body.String()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load("x", Sources{File: path}); !errors.Is(err, ErrConfig) {
			b.Fatal(err)
		}
	}
}

func writeFileB(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }
