from invoicing.auth.route_access import RouteStatement, statements_for


def test_read_opens_every_get_and_the_read_only_post():
    assert statements_for({"invoices:read"}) == [
        RouteStatement("Allow", "GET", "*"),
        RouteStatement("Allow", "POST", "v1/invoices/dynamic-search"),
    ]


def test_write_opens_changes_and_me_but_not_reads():
    statements = statements_for({"invoices:write"})

    assert RouteStatement("Allow", "PATCH", "*") in statements
    assert RouteStatement("Allow", "GET", "v1/me") in statements
    assert RouteStatement("Allow", "GET", "*") not in statements
    assert RouteStatement("Deny", "POST", "v1/invoices/dynamic-search") in statements


def test_read_and_write_deny_only_changing_the_settings():
    statements = statements_for({"invoices:read", "invoices:write"})

    assert [statement for statement in statements if statement.effect == "Deny"] == [
        RouteStatement("Deny", "PATCH", "v1/settings")
    ]


def test_no_scope_is_denied_everything():
    assert statements_for(set()) == [RouteStatement("Deny", "*", "*")]


def test_settings_writers_change_and_read_the_settings_and_nothing_else():
    assert statements_for({"settings:write"}) == [
        RouteStatement("Allow", "PATCH", "v1/settings"),
        RouteStatement("Allow", "GET", "v1/settings"),
        RouteStatement("Allow", "GET", "v1/me"),
    ]


def test_every_scope_together_denies_nothing():
    statements = statements_for({"invoices:read", "invoices:write", "settings:write"})

    assert all(statement.effect == "Allow" for statement in statements)
