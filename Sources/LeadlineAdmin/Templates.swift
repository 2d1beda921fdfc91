/// The console's Mustache templates, compiled into the binary. `{{name}}` is HTML-escaped (quotes included, so it is
/// safe in attributes); nothing here uses the unescaped `{{{…}}}`. Pages extend `layout` and fill its `content` block.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "login": login, "setup": setup, "dashboard": dashboard, "message": message,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Leadline</title>
        <link rel="stylesheet" href="/assets/css/leadline.css">
        </head>
        <body>
        <header class="top">
          <a class="brand" href="/admin">Leadline</a>
          {{#user}}
          <nav aria-label="Main">
            <a href="/admin">Dashboard</a>
          </nav>
          <form class="signout" method="post" action="/admin/logout">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <span class="who">{{email}} ({{role}})</span>
            <button type="submit">Sign out</button>
          </form>
          {{/user}}
        </header>
        <main id="main">
        {{$content}}{{/content}}
        </main>
        </body>
        </html>
        """

    static let login = """
        {{<layout}}
        {{$content}}
        <section class="card narrow">
          <h1>Sign in</h1>
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <form method="post" action="/admin/login">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}" autofocus>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let setup = """
        {{<layout}}
        {{$content}}
        <section class="card narrow">
          <h1>Create the first administrator</h1>
          <p>This account is an operator: it sees and runs every tenant. More users can be added later.</p>
          {{#hasErrors}}<ul class="error" role="alert">{{#errors}}<li>{{field}}: {{reason}}</li>{{/errors}}</ul>{{/hasErrors}}
          <form method="post" action="/admin/setup">
            <input type="hidden" name="token" value="{{token}}">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}">
            <label for="password">Password (at least {{minimum}} characters)</label>
            <input id="password" name="password" type="password" autocomplete="new-password" required minlength="{{minimum}}">
            <button type="submit">Create and sign in</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let dashboard = """
        {{<layout}}
        {{$content}}
        <h1>Dashboard</h1>
        <section class="tiles" aria-label="Totals">
          <div class="tile"><span class="label">Leads</span><span class="value">{{leads}}</span></div>
          <div class="tile"><span class="label">Leads today</span><span class="value">{{leadsToday}}</span></div>
          <div class="tile"><span class="label">Opted out (internal do-not-call)</span><span class="value">{{optedOut}}</span></div>
        </section>
        <p class="scope">{{scope}}</p>
        {{/content}}
        {{/layout}}
        """

    static let message = """
        {{<layout}}
        {{$content}}
        <section class="card narrow">
          <h1>{{title}}</h1>
          <p>{{text}}</p>
          {{#link}}<p><a href="{{href}}">{{label}}</a></p>{{/link}}
        </section>
        {{/content}}
        {{/layout}}
        """
}
