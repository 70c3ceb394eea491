package responders

import "testing"

func TestTopic_constructors(t *testing.T) {
	tests := []struct {
		name string
		got  Topic
		want Topic
	}{
		{name: "required", got: Required("a"), want: Topic{Name: "a", Required: true}},
		{name: "optional", got: Optional("b"), want: Topic{Name: "b"}},
		{name: "required multiple", got: Required("c").Multiple(), want: Topic{Name: "c", Required: true, MultipleUsage: true}},
		{name: "optional multiple", got: Optional("d").Multiple(), want: Topic{Name: "d", MultipleUsage: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
}
