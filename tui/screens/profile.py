"""单位信息 (unit.toml): the full name for the seal, 市（县）/区 for the 附表1 header, 填表联系人."""

from datastore.models import PROFILE, Record, UnitProfile
from tui.screens.editor import RecordEditor


class ProfileScreen(RecordEditor):
    KIND = PROFILE

    def new_record(self) -> Record:
        """A unit without unit.toml yet starts from its line in campaign.toml."""
        unit = self.app.workspace.unit(self.unit_id)
        ref = unit.ref if unit else None
        return UnitProfile(id=self.unit_id, name=ref.name if ref else None,
                           kind=ref.kind if ref else None)
