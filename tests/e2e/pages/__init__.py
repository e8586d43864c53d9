"""Page objects: one class per screen, with methods named for what a person does there."""

from tests.e2e.pages.auth import LoginPage, SignupPage
from tests.e2e.pages.board import BoardPage
from tests.e2e.pages.contacts import ContactAddresses, ContactsPage
from tests.e2e.pages.deal import DealPage
from tests.e2e.pages.imports import ImportPage
from tests.e2e.pages.settings import SettingsPage
from tests.e2e.pages.shell import AppShell
from tests.e2e.pages.today import TodayPage
from tests.e2e.pages.trash import TrashPage

__all__ = [
    "AppShell",
    "BoardPage",
    "ContactAddresses",
    "ContactsPage",
    "DealPage",
    "ImportPage",
    "LoginPage",
    "SettingsPage",
    "SignupPage",
    "TodayPage",
    "TrashPage",
]
