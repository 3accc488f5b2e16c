# What differs per installation, included by newsroom.vcl.

# The app servers (gunicorn). Several: one backend each, and a director (vmod_directors).
backend app {
    .host = "127.0.0.1";
    .port = "8001";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    # robots.txt is one of the cheapest answers and has no database behind it but the app.
    .probe = {
        .url = "/robots.txt";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

# Who may purge: the app servers and the machines running `manage.py db_worker`.
acl purgers {
    "127.0.0.1";
    "::1";
}
