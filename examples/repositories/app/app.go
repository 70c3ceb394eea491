// Package app holds the routes of the repositories example: the flow shown
// in Karafka 0.5's announcement.
//
//	repositories_created => sources_created      (always, exactly once)
//	repositories_deleted => sources_deleted      (always, exactly once)
//	repositories_updated => sources_updated      (always, exactly once)
//	sources_refresh      => sources_refreshed    (conditionally, exactly once)
//	                        sources_disconnected (conditionally, exactly once)
//
// Controllers are types, so their responders are found by Karafka's naming
// convention (RepositoriesCreatedController → RepositoriesCreatedResponder)
// through the application's registry: no route names its responder.
package app

import (
	"errors"
	"fmt"

	karafka "github.com/karafka-actors/karafka-actors"
)

// Topics consumed by this example.
const (
	RepositoriesCreated = "repositories_created"
	RepositoriesDeleted = "repositories_deleted"
	RepositoriesUpdated = "repositories_updated"
	SourcesRefresh      = "sources_refresh"
)

// ErrMissingID fails a repository or source message without a numeric "id".
var ErrMissingID = errors.New(`missing numeric "id"`)

// Repository is the input of the repositories_* topics.
type Repository struct {
	ID int64 `json:"id"`
}

// Source is what the repositories_* routes respond with.
type Source struct {
	RepositoryID int64 `json:"repository_id"`
}

// Refresh is the input of sources_refresh.
type Refresh struct {
	ID        int64 `json:"id"`
	Reachable bool  `json:"reachable"`
}

// Refreshed is the response of sources_refresh.
type Refreshed struct {
	SourceID int64 `json:"source_id"`
}

// repositoryID decodes the input and requires its id.
func repositoryID(ctx *karafka.Context) (int64, error) {
	var in struct {
		ID *int64 `json:"id"`
	}
	if err := ctx.Params.Decode(&in); err != nil {
		return 0, err
	}
	if in.ID == nil {
		return 0, karafka.Permanent(ErrMissingID)
	}
	return *in.ID, nil
}

// RepositoriesCreatedController answers a created repository with a source.
type RepositoriesCreatedController struct{}

// Perform responds with the source of the repository.
func (RepositoriesCreatedController) Perform(ctx *karafka.Context) error {
	id, err := repositoryID(ctx)
	if err != nil {
		return err
	}
	ctx.RespondWith(Source{RepositoryID: id})
	return nil
}

// RepositoriesDeletedController answers a deleted repository.
type RepositoriesDeletedController struct{}

// Perform responds with the source of the repository.
func (RepositoriesDeletedController) Perform(ctx *karafka.Context) error {
	return RepositoriesCreatedController{}.Perform(ctx)
}

// RepositoriesUpdatedController answers an updated repository.
type RepositoriesUpdatedController struct{}

// Perform responds with the source of the repository.
func (RepositoriesUpdatedController) Perform(ctx *karafka.Context) error {
	return RepositoriesCreatedController{}.Perform(ctx)
}

// SourcesRefreshController checks a source and reports whether it is reachable.
type SourcesRefreshController struct{}

// Perform responds with the refresh result.
func (SourcesRefreshController) Perform(ctx *karafka.Context) error {
	var in struct {
		ID        *int64 `json:"id"`
		Reachable bool   `json:"reachable"`
	}
	if err := ctx.Params.Decode(&in); err != nil {
		return err
	}
	if in.ID == nil {
		return karafka.Permanent(ErrMissingID)
	}
	ctx.RespondWith(Refresh{ID: *in.ID, Reachable: in.Reachable})
	return nil
}

// single makes a responder with one required topic that sends its Source.
func single(topic string) func() karafka.Responder {
	r := karafka.NewResponder([]karafka.Topic{karafka.Required(topic)}, func(out *karafka.Output, args ...any) error {
		if len(args) != 1 {
			return fmt.Errorf("want 1 argument, got %d", len(args))
		}
		out.RespondTo(topic, args[0])
		return nil
	})
	return func() karafka.Responder { return r }
}

// SourcesRefreshResponder sends on sources_refreshed when the source was
// reachable, on sources_disconnected otherwise.
type SourcesRefreshResponder struct{}

// Topics declares both topics as optional.
func (SourcesRefreshResponder) Topics() []karafka.Topic {
	return []karafka.Topic{karafka.Optional("sources_refreshed"), karafka.Optional("sources_disconnected")}
}

// Respond picks the topic by reachability.
func (SourcesRefreshResponder) Respond(out *karafka.Output, args ...any) error {
	r, ok := args[0].(Refresh)
	if !ok || len(args) != 1 {
		return fmt.Errorf("want one Refresh, got %v", args)
	}
	if r.Reachable {
		out.RespondTo("sources_refreshed", Refreshed{SourceID: r.ID})
	} else {
		out.RespondTo("sources_disconnected", Refreshed{SourceID: r.ID})
	}
	return nil
}

// Routes returns the example's routes. They name no responder: Register puts
// the responders in the registry under their conventional names.
func Routes() []karafka.Route {
	return []karafka.Route{
		{Topic: RepositoriesCreated, Controller: func() karafka.Controller { return RepositoriesCreatedController{} }},
		{Topic: RepositoriesDeleted, Controller: func() karafka.Controller { return RepositoriesDeletedController{} }},
		{Topic: RepositoriesUpdated, Controller: func() karafka.Controller { return RepositoriesUpdatedController{} }},
		{Topic: SourcesRefresh, Controller: func() karafka.Controller { return SourcesRefreshController{} }},
	}
}

// Register registers the responders by naming convention and adds the routes.
func Register(app *karafka.App) error {
	reg := app.Registry()
	err := errors.Join(
		reg.Register("RepositoriesCreatedResponder", single("sources_created")),
		reg.Register("RepositoriesDeletedResponder", single("sources_deleted")),
		reg.Register("RepositoriesUpdatedResponder", single("sources_updated")),
		reg.Register("SourcesRefreshResponder", func() karafka.Responder { return SourcesRefreshResponder{} }),
	)
	if err != nil {
		return err
	}
	app.Route(Routes()...)
	return nil
}
