from allauth.account.adapter import DefaultAccountAdapter

from .client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """People join a partner program by invitation (or, later, by application);
    there is no open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        # Login and password-reset limits key on the address past our proxies.
        return client_ip(request)
