package karafka_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// exampleMain is Example_program's doc comment and header, which the
// README's program has as func main.
var exampleMain = regexp.MustCompile(`(?m)(^//.*\n)*^func Example_program\(\) \{`)

// The README's complete embedding program is example_program_test.go as
// package main, so it compiles as the README shows it (go vet and go test
// compile the example). On a mismatch, copy the file into the README's
// block with those two changes.
func TestREADME_programIsTheCompiledExample(t *testing.T) {
	src, err := os.ReadFile("example_program_test.go")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(src), "package karafka_test", "package main", 1)
	want = exampleMain.ReplaceAllString(want, "func main() {")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```go\npackage main\n")
	if !ok {
		t.Fatal("README has no ```go block starting with package main")
	}
	block, _, _ = strings.Cut(block, "```\n")
	if got := "package main\n" + block; got != want {
		t.Fatalf("README's program differs from example_program_test.go as package main; want:\n%s", want)
	}
}
