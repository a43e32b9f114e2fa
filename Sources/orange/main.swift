import OrangeApp

OrangeMain.run()
