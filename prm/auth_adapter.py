from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """People join a partner program by invitation (or, later, by application);
    there is no open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False
