package karafka_test

import (
	"context"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// State names the Kafka client the App runs on from the start, and the
// start-up line "karafka-actors running" says it too, on either client.
func TestState_namesTheKafkaClient(t *testing.T) {
	brokers := testkafka.Brokers(t)
	for _, lib := range []string{kafka.ClientSarama, kafka.ClientFranz} {
		t.Run(lib, func(t *testing.T) {
			in := testkafka.Name(t, "in")
			testkafka.CreateTopics(t, brokers, 1, in)
			cfg := testConfig(t, brokers)
			cfg.Kafka.Client = lib
			logger, logs := capturedLogger(t)
			app, err := karafka.New(cfg, karafka.WithLogger(logger),
				karafka.WithRoutes(karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }}))
			if err != nil {
				t.Fatal(err)
			}
			if got := app.State().Client; got != lib {
				t.Fatalf("State().Client before Run = %q, want %q", got, lib)
			}
			r := runApp(t, app)
			if got := app.State().Client; got != lib {
				t.Errorf("State().Client running = %q, want %q", got, lib)
			}
			var line string
			for _, l := range strings.Split(logs(), "\n") {
				if strings.Contains(l, `msg="karafka-actors running"`) {
					line = l
				}
			}
			if !strings.Contains(line, " client="+lib+" ") {
				t.Errorf("the start-up line does not name client %s: %q", lib, line)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := r.app.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
