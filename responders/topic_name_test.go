package responders

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckTopicName_rules(t *testing.T) {
	tests := []struct {
		name    string
		topic   string
		wantErr string
	}{
		{name: "simple", topic: "users_created"},
		{name: "all allowed characters", topic: "A-z.0_9"},
		{name: "max length", topic: strings.Repeat("a", 249)},
		{name: "empty", topic: "", wantErr: `"": must not be empty`},
		{name: "too long", topic: strings.Repeat("a", 250), wantErr: "is 250 characters long, the limit is 249"},
		{name: "dot", topic: ".", wantErr: `".": must not be`},
		{name: "dot dot", topic: "..", wantErr: `"..": must not be`},
		{name: "space", topic: "a b", wantErr: `"a b": byte 1 (' ') does not match ^[A-Za-z0-9._-]+$`},
		{name: "non ascii", topic: "café", wantErr: `does not match`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTopicName(tt.topic)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckTopicName(%q) = %v", tt.topic, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidTopicName) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckTopicName(%q) = %v; want ErrInvalidTopicName mentioning %q", tt.topic, err, tt.wantErr)
			}
		})
	}
}

func TestValidateTopics_declarations(t *testing.T) {
	tests := []struct {
		name     string
		topics   []Topic
		wantIs   []error
		wantText []string
	}{
		{name: "valid", topics: []Topic{Required("a"), Optional("b").Multiple()}},
		{name: "none", topics: nil},
		{name: "bad name", topics: []Topic{Required("a"), Optional("b c")},
			wantIs: []error{ErrInvalidTopicName}, wantText: []string{`"b c"`}},
		{name: "duplicate reported once", topics: []Topic{Required("a"), Optional("a"), Optional("a")},
			wantIs: []error{ErrDuplicateTopic}, wantText: []string{`topic "a": duplicate topic declaration (declared 3 times)`}},
		{name: "all problems", topics: []Topic{Optional(""), Required("x"), Required("x")},
			wantIs: []error{ErrInvalidTopicName, ErrDuplicateTopic}, wantText: []string{`""`, `topic "x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTopics(tt.topics)
			if tt.wantIs == nil {
				if err != nil {
					t.Fatalf("ValidateTopics = %v", err)
				}
				return
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("error %v is not %v", err, target)
				}
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
			if strings.Count(err.Error(), "duplicate") > 1 {
				t.Errorf("duplicate reported more than once: %q", err)
			}
		})
	}
}
