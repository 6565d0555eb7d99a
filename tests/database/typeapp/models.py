from teapot.db import models
from tests.database.typeapp.fields import define

_matrix = define(models, "typeapp", __name__)
Target = _matrix["Target"]
AllTypes = _matrix["AllTypes"]
AutoPk = _matrix["AutoPk"]
BigAutoPk = _matrix["BigAutoPk"]
SmallAutoPk = _matrix["SmallAutoPk"]
