package browsertest

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// SaveScreenshot checks that shot is a PNG of at least 800×400 pixels and
// writes it as name in the test's artifact directory (kept with go test
// -artifacts -outputdir DIR), returning its path.
func SaveScreenshot(t *testing.T, shot []byte, name string) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
		t.Fatalf("screenshot is %v, want at least 800x400", b)
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}
