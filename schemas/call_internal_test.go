package schemas

import (
	"strings"
	"testing"
)

func TestRegistryText(t *testing.T) {
	for in, want := range map[string]string{
		"  Schema not found\n":          "Schema not found",
		"a\tb\r\nc\x00d\x7fe":           `a\tb\r\nc\x00d\x7fe`,
		"caf\xc3\xa9 \xff\xfe \u202e":   `café \xff\xfe \u202e`,
		"ok \uFFFD kept":                "ok \uFFFD kept",
		"\x1b[31mred\x1b[0m":            `\x1b[31mred\x1b[0m`,
		strings.Repeat("x", 512):        strings.Repeat("x", 512),
		strings.Repeat("x", 600):        strings.Repeat("x", 512) + "... (88 more bytes cut)",
		strings.Repeat("\n", 600) + "y": "y",
	} {
		if got := registryText(in); got != want {
			t.Errorf("registryText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := registryText(strings.Repeat("\x01", 1000)); len(got) > 540 || !strings.HasSuffix(got, `\x01... (872 more bytes cut)`) {
		t.Errorf("escapes count towards the bound: %d bytes, %q", len(got), got[len(got)-30:])
	}
}
