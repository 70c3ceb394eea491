package actors

import "testing"

func TestActorKind_namesEachActorOfTheTree(t *testing.T) {
	tests := []struct{ name, id, want string }{
		{"root", "karafka", "root"},
		{"listener", "karafka/listener-users_create-$1", "listener"},
		{"partition", "karafka/listener-users_create-$1/users_create-0-$2", "partition"},
		{"responder", "karafka/listener-users_create-$1/users_create-0-$2/responder-$3", "responder"},
		{"virtual", "karafka/listener-t-$1/t-3-$2/virtual-1-$4", "virtual"},
		{"topic named like a kind", "karafka/listener-responder-x-$1/responder-x-0-$2", "partition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ActorKind(tt.id); got != tt.want {
				t.Errorf("ActorKind(%q) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}
