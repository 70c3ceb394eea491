package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's Mermaid picture of the examples' actor tree is what
// `flow --format mermaid` prints. On a mismatch, paste the command's output
// into the README's ```mermaid block.
func TestREADME_mermaidIsTheExamplesFlow(t *testing.T) {
	r := run(t, nil, "", "flow", "--format", "mermaid")
	if r.code != 0 {
		t.Fatalf("flow --format mermaid: %+v", r)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```mermaid\n")
	if !ok {
		t.Fatal("README has no ```mermaid block")
	}
	block, _, _ = strings.Cut(block, "```\n")
	if block != r.stdout {
		t.Fatalf("README's mermaid block differs from `go run ./cmd/karafka-actors flow --format mermaid`; want:\n%s", r.stdout)
	}
}
