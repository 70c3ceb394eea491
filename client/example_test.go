package client_test

import (
	"errors"
	"fmt"

	"github.com/karafka-actors/karafka-actors/client"
)

// A library's error for a broker's answer reads the same whichever
// library got it, and matches its Kafka code.
func ExampleAnswered() {
	libraryErr := errors.New("some library's words for it")
	err := client.Answered(libraryErr, 36, "Topic 'orders' already exists.")
	fmt.Println(err)
	fmt.Println(errors.Is(err, client.ErrTopicAlreadyExists), errors.Is(err, libraryErr))
	// Output:
	// kafka: TOPIC_ALREADY_EXISTS (error code 36): Topic 'orders' already exists.
	// true true
}
