package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Mermaid picture of the examples' actor tree in docs/concepts.md ("The
// flow", moved there from the README) is what `flow --format mermaid` prints.
// On a mismatch, paste the command's output into that page's ```mermaid block.
func TestDocs_conceptsMermaidIsTheExamplesFlow(t *testing.T) {
	r := runDefault(t, "flow", "--format", "mermaid")
	if r.code != 0 {
		t.Fatalf("flow --format mermaid: %+v", r)
	}
	page, err := os.ReadFile(filepath.Join(repoRoot, "docs", "concepts.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(page), "```mermaid\n")
	if !ok {
		t.Fatal("docs/concepts.md has no ```mermaid block")
	}
	block, _, _ = strings.Cut(block, "```\n")
	if block != r.stdout {
		t.Fatalf("docs/concepts.md's mermaid block differs from `go run ./cmd/karafka-actors flow --format mermaid`; want:\n%s", r.stdout)
	}
}
