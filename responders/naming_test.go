package responders

import "testing"

func TestResponderNameFor_convention(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "UsersCreatedController", want: "UsersCreatedResponder"},
		{in: "*main.UsersCreatedController", want: "UsersCreatedResponder"},
		{in: "github.com/acme/app/controllers.OrdersController", want: "OrdersResponder"},
		{in: "Orders", want: "OrdersResponder"},
		{in: "**pkg.Orders", want: "OrdersResponder"},
		{in: "Controller", want: "Responder"},
		{in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ResponderNameFor(tt.in); got != tt.want {
				t.Fatalf("ResponderNameFor(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
