package params

import "testing"

func TestMetadata_Header(t *testing.T) {
	md := Metadata{Headers: []Header{
		{Key: "trace", Value: []byte("a")},
		{Key: "origin", Value: []byte("x")},
		{Key: "trace", Value: []byte("b")},
	}}
	tests := []struct {
		name   string
		key    string
		want   string
		wantOK bool
	}{
		{name: "single", key: "origin", want: "x", wantOK: true},
		{name: "duplicate keys give the last", key: "trace", want: "b", wantOK: true},
		{name: "absent", key: "nope", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := md.Header(tt.key)
			if ok != tt.wantOK || string(got) != tt.want {
				t.Fatalf("Header(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
